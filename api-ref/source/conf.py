# novalite Compute API reference: build with `tox -e api-ref`.

extensions = [
    'os_api_ref',
]

try:
    import openstackdocstheme  # noqa: F401
except ImportError:  # pragma: no cover - the plain theme still works
    html_theme = 'alabaster'
else:
    extensions.append('openstackdocstheme')
    html_theme = 'openstackdocs'
    html_theme_options = {'sidebar_mode': 'toc'}
    openstackdocs_repo_name = 'novalite/novalite'
    openstackdocs_bug_project = 'novalite'
    openstackdocs_bug_tag = 'api-ref'
    openstackdocs_auto_name = False

project = 'novalite Compute API Reference'
copyright = '2026, novalite developers'
html_title = project

source_suffix = '.rst'
master_doc = 'index'
exclude_patterns = []
add_module_names = False
show_authors = False
pygments_style = 'native'
html_static_path = []
