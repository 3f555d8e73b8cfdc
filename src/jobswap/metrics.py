"""Prometheus metrics: what the process measures as it works, and what the database knows.

Request counts and latencies (timed by observability.RequestLogMiddleware) are labelled by
route template (never the raw path), so the number of series stays bounded. Queue depth,
outbox backlog and scrape totals are read from the database when scraped, so every process
(web or worker) reports the same truth.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import text
from starlette.types import Scope

REGISTRY = CollectorRegistry(auto_describe=True)
HTTP_REQUESTS = Counter(
    "jobswap_http_requests_total", "HTTP requests answered", ["method", "route", "status"], registry=REGISTRY
)
HTTP_LATENCY = Histogram(
    "jobswap_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
TASK_DURATION = Histogram(
    "jobswap_task_duration_seconds",
    "Time a background task ran, by task and outcome",
    ["task", "outcome"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800),
    registry=REGISTRY,
)
SWAP_RUN = Histogram(
    "jobswap_swap_run_seconds",
    "Time of the swap engine's full runs, by phase",
    ["phase"],
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
    registry=REGISTRY,
)


def route_of(scope: Scope) -> str:
    """The matched route's template ("/api/users/{user_id}"), which routing leaves in the
    scope; "unmatched" for a path no route took (never the raw path: it would hold ids)."""
    route = scope.get("route")
    return str(getattr(route, "path", None) or "unmatched")


def observe_request(scope: Scope, status: int, seconds: float) -> None:
    """Count one answered request (called by the request-log middleware, which times it)."""
    route = route_of(scope)
    HTTP_REQUESTS.labels(scope["method"], route, str(status)).inc()
    HTTP_LATENCY.labels(scope["method"], route).observe(seconds)


async def time_tasks(call_next: Callable[[], Awaitable[Any]], context: Any, worker: Any) -> Any:
    """A procrastinate worker middleware: every job's duration and outcome."""
    started = time.perf_counter()
    outcome = "failed"
    try:
        result = await call_next()
        outcome = "succeeded"
        return result
    finally:
        TASK_DURATION.labels(context.job.task_name, outcome).observe(time.perf_counter() - started)


_STATE_SQL = """
SELECT 'queue' AS kind, queue_name AS a, status::text AS b, count(*)::float AS n
  FROM procrastinate_jobs WHERE status IN ('todo', 'doing') GROUP BY 1, 2, 3
UNION ALL
SELECT 'outbox', status, '', count(*) FROM email_outbox GROUP BY 1, 2
UNION ALL
SELECT 'ai_cost', operation, model, coalesce(sum(cost_usd), 0)
  FROM ai_usage WHERE created_at > now() - interval '1 day' GROUP BY 1, 2, 3
UNION ALL
SELECT 'ai_calls', model, outcome, count(*)
  FROM ai_usage WHERE created_at > now() - interval '1 day' GROUP BY 1, 2, 3
UNION ALL
SELECT 'scrape', s.key, 'postings', sum(coalesce((s.value ->> 'found')::float, 0))
  FROM scrape_runs r, jsonb_each(r.per_source) s WHERE r.created_at > now() - interval '1 day' GROUP BY 1, 2
UNION ALL
SELECT 'scrape_errors', s.key, e.key, sum(e.value::text::float)
  FROM scrape_runs r, jsonb_each(r.per_source) s, jsonb_each(coalesce(s.value -> 'errors', '{}')) e
  WHERE r.created_at > now() - interval '1 day' AND jsonb_typeof(e.value) = 'number' GROUP BY 1, 2, 3
"""


class DatabaseCollector(Collector):
    """Pool use, and the state the database holds; read by `refresh` before each scrape."""

    def __init__(self) -> None:
        self.rows: list[Any] = []
        self.pool: tuple[int, int, int] = (0, 0, 0)

    async def refresh(self, runtime: Any) -> None:
        from jobswap.db import Identity

        pool = runtime.database.engine.pool
        self.pool = (pool.checkedout(), pool.checkedin(), pool.size())
        async with runtime.database.transaction(Identity.service()) as session:
            self.rows = list((await session.execute(text(_STATE_SQL))).all())

    def collect(self) -> Iterator[GaugeMetricFamily]:
        pool = GaugeMetricFamily(
            "jobswap_db_pool_connections", "Request-path database connections", labels=["state"]
        )
        pool.add_metric(["in_use"], self.pool[0])
        pool.add_metric(["idle"], self.pool[1])
        pool.add_metric(["size"], self.pool[2])
        yield pool
        queue = GaugeMetricFamily("jobswap_queue_jobs", "Jobs waiting or running", labels=["queue", "status"])
        outbox = GaugeMetricFamily("jobswap_outbox_emails", "Outbox e-mails by status", labels=["status"])
        postings = GaugeMetricFamily(
            "jobswap_scrape_postings_24h", "Postings found in the last day, by source", labels=["source"]
        )
        errors = GaugeMetricFamily(
            "jobswap_scrape_errors_24h",
            "Fetch errors in the last day, by source and kind",
            labels=["source", "kind"],
        )
        ai_cost = GaugeMetricFamily(
            "jobswap_ai_cost_usd_24h",
            "Estimated AI provider cost in the last day, all processes (US dollars)",
            labels=["operation", "model"],
        )
        ai_calls = GaugeMetricFamily(
            "jobswap_ai_calls_24h",
            "AI provider calls in the last day, all processes",
            labels=["model", "outcome"],
        )
        for kind, a, b, n in self.rows:
            if kind == "ai_cost":
                ai_cost.add_metric([a, b], n)
            elif kind == "ai_calls":
                ai_calls.add_metric([a, b], n)
            elif kind == "queue":
                queue.add_metric([a, b], n)
            elif kind == "outbox":
                outbox.add_metric([a], n)
            elif kind == "scrape":
                postings.add_metric([a], n)
            else:
                errors.add_metric([a, b], n)
        yield from (queue, outbox, postings, errors, ai_cost, ai_calls)


DATABASE = DatabaseCollector()
REGISTRY.register(DATABASE)
