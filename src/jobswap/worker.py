"""The procrastinate queue. One App per process; every domain registers its tasks.

Tasks take ids and plain values, open their own transaction through
`TaskContext.database`, and are safe to run twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import procrastinate

from jobswap.config import Settings
from jobswap.db import Database
from jobswap.metrics import time_tasks


@dataclass(frozen=True)
class TaskContext:
    settings: Settings
    database: Database


def build_queue(conninfo: str, ctx: TaskContext) -> procrastinate.App:
    from jobswap.auth import tasks as auth_tasks
    from jobswap.embeddings import tasks as embedding_tasks
    from jobswap.jobmatch import tasks as job_match_tasks
    from jobswap.jobs import tasks as job_tasks
    from jobswap.matching import tasks as matching_tasks
    from jobswap.notifications import tasks as notification_tasks
    from jobswap.resumes import tasks as resume_tasks
    from jobswap.swaps import tasks as swap_tasks

    queue = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo, min_size=1, max_size=4),
        worker_defaults={"install_signal_handlers": False, "worker_middleware": [time_tasks]},
    )
    auth_tasks.register(queue, ctx)
    embedding_tasks.register(queue, ctx)
    resume_tasks.register(queue, ctx)
    matching_tasks.register(queue, ctx)
    job_tasks.register(queue, ctx)
    job_match_tasks.register(queue, ctx)
    notification_tasks.register(queue, ctx)
    swap_tasks.register(queue, ctx)
    return queue
