"""Regular-expression list filters with a time budget.

Nova matches most server list filters (``name``, ``ip``, ...) as regular
expressions in the database. A backtracking engine can take exponential
time on a short pattern (``^(a|a)+$`` against ``'a' * 30 + '!'``), so one
request could hold the API for minutes. Here the statement that matches
runs under ``[api] regex_filter_timeout``:

- SQLite: REGEXP is a Python function. Ours uses the ``regex`` module,
  which can stop a match at a deadline and releases the GIL while it
  matches, so the other requests of the process go on meanwhile.
- PostgreSQL: ``statement_timeout`` for the statement.
- MariaDB: ``max_statement_time``; MySQL: ``max_execution_time``.

Past the budget the request fails with RegexFilterTimeout (400).
"""

import contextlib
import functools
import threading
import time

from oslo_config import cfg
import regex
import sqlalchemy as sa

from novalite import exception

CONF = cfg.CONF

_STATE = threading.local()

# PostgreSQL's query_canceled, MariaDB's ER_STATEMENT_TIMEOUT, MySQL's
# ER_QUERY_TIMEOUT.
_PG_QUERY_CANCELED = '57014'
_MYSQL_TIMEOUT_CODES = (1969, 3024)


@functools.lru_cache(maxsize=256)
def _compile(pattern):
    return regex.compile(pattern)


def sqlite_regexp(pattern, value):
    """SQLite's REGEXP(pattern, value), as SQLAlchemy's but bounded."""
    if value is None or pattern is None:
        return None
    deadline = getattr(_STATE, 'deadline', None)
    timeout = None
    if deadline is not None:
        timeout = deadline - time.monotonic()
        if timeout <= 0:
            _STATE.timed_out = True
            raise TimeoutError('regular expression budget spent')
    try:
        return _compile(pattern).search(value, timeout=timeout,
                                        concurrent=True) is not None
    except TimeoutError:
        _STATE.timed_out = True
        raise


def register_sqlite(dbapi_connection):
    """Replace SQLAlchemy's REGEXP on a new SQLite connection.

    NOTE: must run after SQLAlchemy's own on-connect hook, which registers
    an unbounded one under the same name; engine "connect" listeners added
    by novalite run after it.
    """
    dbapi_connection.create_function('regexp', 2, sqlite_regexp,
                                     deterministic=True)


def _is_timeout(error):
    orig = getattr(error, 'orig', None)
    inner = getattr(error, 'inner_exception', None)
    if orig is None and inner is not None:
        orig = getattr(inner, 'orig', inner)
    if getattr(orig, 'pgcode', None) == _PG_QUERY_CANCELED:
        return True
    args = getattr(orig, 'args', ())
    return bool(args) and args[0] in _MYSQL_TIMEOUT_CODES


def _set_limit(session, dialect, seconds):
    """Set (seconds) or clear (None) the backend's statement time limit."""
    if dialect.name == 'postgresql':
        session.execute(sa.text("SELECT set_config('statement_timeout', "
                                ":value, true)"),
                        {'value': '%dms' % (seconds * 1000) if seconds
                         else '0'})
    elif dialect.name == 'mysql':
        if getattr(dialect, 'is_mariadb', False):
            session.execute(sa.text('SET SESSION max_statement_time = '
                                    ':value'), {'value': seconds or 0})
        else:
            session.execute(sa.text('SET SESSION max_execution_time = '
                                    ':value'),
                            {'value': int((seconds or 0) * 1000)})


@contextlib.contextmanager
def budget(session, seconds=None):
    """Run the statements of the block under the regex time budget.

    ``seconds`` defaults to ``[api] regex_filter_timeout``; 0 means no
    limit. A block that overruns raises RegexFilterTimeout.
    """
    if seconds is None:
        seconds = CONF.api.regex_filter_timeout
    if not seconds:
        yield
        return
    dialect = session.get_bind().dialect
    _STATE.deadline = time.monotonic() + seconds
    _STATE.timed_out = False
    _set_limit(session, dialect, seconds)
    failed = False
    try:
        yield
    except Exception as e:
        failed = True
        if _STATE.timed_out or _is_timeout(e):
            raise exception.RegexFilterTimeout()
        raise
    finally:
        _STATE.deadline = None
        # NOTE: the connection goes back to the pool, so a session-wide
        # limit must not outlive the block. After an error PostgreSQL has
        # aborted the transaction, and its transaction-local limit with it.
        if not (failed and dialect.name == 'postgresql'):
            _set_limit(session, dialect, None)
