# novalite release notes: build with `tox -e releasenotes`.

extensions = [
    'reno.sphinxext',
]

try:
    import openstackdocstheme  # noqa: F401
except ImportError:  # pragma: no cover - the plain theme still works
    html_theme = 'alabaster'
else:
    extensions.append('openstackdocstheme')
    html_theme = 'openstackdocs'
    openstackdocs_repo_name = 'novalite/novalite'
    openstackdocs_bug_project = 'novalite'
    openstackdocs_bug_tag = 'releasenotes'
    openstackdocs_auto_name = False

project = 'novalite Release Notes'
copyright = '2026, novalite developers'
html_title = project

# reno reads the notes from git; no version numbers in the pages.
version = ''
release = ''

source_suffix = '.rst'
master_doc = 'index'
exclude_patterns = []
pygments_style = 'native'
html_static_path = ['_static']
locale_dirs = ['locale/']
