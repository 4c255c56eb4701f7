"""Small helpers shared by the API, the agent and the drivers."""

import contextlib

from oslo_log import log as logging

LOG = logging.getLogger(__name__)


@contextlib.contextmanager
def ignore_errors(doing):
    """Swallow and log any error of a best-effort step (a cleanup)."""
    try:
        yield
    except Exception as e:
        LOG.warning('Ignoring an error while %s: %s', doing, e)
