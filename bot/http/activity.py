"""What a web or worker process reports on GET /healthz: the work waiting in the database
(all processes see the same queue), the steps this process runs, and whether it leads."""

from __future__ import annotations

from typing import Any, Literal

from bot.services import Services

Role = Literal["web", "worker"]


def activity(services: Services, role: Role) -> dict[str, Any]:
    now = services.clock()
    work = {
        counts.kind: {
            "queued": counts.queued,
            "claimed": counts.claimed,
            "oldest_queued_seconds": (
                round((now - counts.oldest_queued_at).total_seconds(), 1)
                if counts.oldest_queued_at is not None
                else None
            ),
        }
        for counts in services.pipeline.work.counts()
    }
    return {
        "role": role,
        "work": work,
        "running_here": services.pipeline.steps_held,
        "idle_here": services.pipeline.work.idle(),
        "leader": role == "worker" and services.jobs.leading,
    }
