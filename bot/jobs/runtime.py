"""What a fired job runs in: the services of the process that leads.

The job store pickles each job, so a stored job holds only text: the entry point below and
the job's reference ("bot.jobs.nudges:run"). The services (engine, Slack client, thread pools)
cannot be pickled; the leading process registers them here when it starts running jobs.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from apscheduler.util import ref_to_obj

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

_lock = threading.Lock()
_active: Services | None = None


def activate(services: Services) -> None:
    global _active
    with _lock:
        _active = services


def deactivate(services: Services) -> None:
    """Forget `services`, unless another scheduler in this process registered its own since."""
    global _active
    with _lock:
        if _active is services:
            _active = None


def run_job(ref: str) -> None:
    """The callable every stored job points at: run the job `ref` with the leader's services."""
    with _lock:
        services = _active
    if services is None:
        # A job can only fire from a started scheduler, which registers services first; this
        # is a scheduler shutting down while a run was being handed to its pool.
        log.warning("job %s fired with no services registered; skipped", ref)
        return
    job = ref_to_obj(ref)
    log.info("running job %s", ref)
    job(services, services.clock())
