"""novalite's own flake8 checks: the architecture, kept by lint.

Registered in setup.cfg ``[flake8:local-plugins]``; run by ``tox -e pep8``.

* N301: nothing under ``novalite/virt/`` imports the database layer
  (``novalite.db``, ``sqlalchemy``, ``oslo_db``). Drivers get plain values
  from the compute manager, which owns every state change.
* N302: configuration options are declared only in ``novalite/conf/``.
  Command-line sub-command parsers (``cfg.SubCommandOpt``) in
  ``novalite/cmd/`` are allowed, as in Nova.
* N303: policy defaults (``RuleDefault``/``DocumentedRuleDefault``) are
  declared only in ``novalite/policies/``.
* N304: nothing under ``novalite/api/`` imports ``novalite.db`` or the
  agent's ``novalite.compute.manager``. Controllers parse, authorise and
  render; reading and writing state is ``novalite/compute``'s business.

Tests (``novalite/tests/``) are exempt: they build sample options and
rules, and virt tests may use database fixtures.
"""

import re

from hacking import core

_DB_IMPORT_RE = re.compile(
    r'^\s*(?:'
    r'import\s+(?:novalite\.db|sqlalchemy|oslo_db)\b'
    r'|from\s+(?:novalite\.db|sqlalchemy|oslo_db)\b'
    r'|from\s+novalite\s+import\s+(?:.*,\s*)?db\b'
    r')')
_API_FORBIDDEN_RE = re.compile(
    r'^\s*(?:'
    r'import\s+novalite\.(?:db|compute\.manager)\b'
    r'|from\s+novalite\.db\b'
    r'|from\s+novalite\.compute\.manager\b'
    r'|from\s+novalite\s+import\s+(?:.*,\s*)?db\b'
    r'|from\s+novalite\.compute\s+import\s+(?:.*,\s*)?manager\b'
    r')')
_CFG_OPT_RE = re.compile(r'.*(?:\bcfg|\boslo_config\.cfg)\.([A-Za-z]*Opt)\(')
_POLICY_RULE_RE = re.compile(
    r'.*\b(?:policy\.)?(?:RuleDefault|DocumentedRuleDefault)\(')


def _norm(filename):
    return filename.replace('\\', '/')


def _is_test(filename):
    return '/tests/' in _norm(filename) or \
        _norm(filename).startswith('novalite/tests/')


def _under(filename, folder):
    """Whether filename is inside novalite's folder (e.g. 'virt')."""
    path = _norm(filename)
    marker = 'novalite/%s/' % folder
    return path.startswith(marker) or ('/' + marker) in path


@core.flake8ext
def no_db_in_virt(logical_line, filename):
    """N301: no database imports under novalite/virt/.

    Okay: import os
    N301: from novalite.db import api as db
    N301: import sqlalchemy
    N301: from oslo_db import exception
    """
    if not _under(filename, 'virt'):
        return
    if _DB_IMPORT_RE.match(logical_line):
        yield (0, 'N301: novalite/virt/ must not import the database layer '
                  '(novalite.db, sqlalchemy, oslo_db); let the compute '
                  'manager read and write state.')


@core.flake8ext
def no_cfg_opts_outside_conf(logical_line, filename):
    """N302: config options are declared only in novalite/conf/.

    Okay: CONF.api.max_limit
    N302: opt = cfg.StrOpt('foo')
    """
    if _under(filename, 'conf') or _is_test(filename) or \
            _under(filename, 'hacking'):
        return
    match = _CFG_OPT_RE.match(logical_line)
    if not match:
        return
    if match.group(1) == 'SubCommandOpt' and _under(filename, 'cmd'):
        return
    yield (0, 'N302: declare configuration options in novalite/conf/ '
              '(one module per group), not here.')


@core.flake8ext
def no_policy_rules_outside_policies(logical_line, filename):
    """N303: policy defaults are declared only in novalite/policies/.

    Okay: policy.authorize(ctxt, 'os_compute_api:servers:show', target)
    N303: policy.DocumentedRuleDefault(name='x', check_str='@')
    """
    if _under(filename, 'policies') or _is_test(filename) or \
            _under(filename, 'hacking'):
        return
    if _POLICY_RULE_RE.match(logical_line):
        yield (0, 'N303: declare policy defaults in novalite/policies/ '
                  '(one module per resource), not here.')


@core.flake8ext
def no_db_in_api(logical_line, filename):
    """N304: novalite/api/ imports neither novalite.db nor the agent's
    compute manager.

    Okay: from novalite.compute import api as compute
    N304: from novalite.db import api as db
    N304: from novalite.compute import manager as compute_manager
    N304: import novalite.db.api
    """
    if not _under(filename, 'api'):
        return
    if _API_FORBIDDEN_RE.match(logical_line):
        yield (0, 'N304: novalite/api/ must not import novalite.db or '
                  'novalite.compute.manager; go through novalite/compute '
                  '(compute.api, flavors, images, keypairs, ...).')
