"""Switching the embedding provider: vectors record their model, matching never compares two
models, and re-embedding goes through the Batch API and survives a killed worker.

The queue is not drained after a switch here: the session's worker runs with the local model,
and its periodic re-embedding would (rightly) move everything back to it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from jobswap.config import Settings
from jobswap.db import Identity
from jobswap.embeddings import reembed
from jobswap.embeddings.model import MODEL_ID
from jobswap.jobs.models import Job
from jobswap.jobs.service import embedding_text as job_text
from jobswap.runtime import Runtime
from tests.ai.conftest import AISettings
from tests.ai.fake_openai import FakeOpenAI, vector_for
from tests.conftest import Account, app_client
from tests.jobmatch.conftest import IT_PDF, load_corpus, with_resume
from tests.resumes.test_resumes_api import drain_queue

OPENAI_MODEL = "openai:text-embedding-3-small:384"


def models(admin_engine: Any) -> dict[str, dict[str | None, int]]:
    out: dict[str, dict[str | None, int]] = {}
    with admin_engine.connect() as conn:
        for table in ("jobs", "resumes", "job_alerts"):
            rows = conn.execute(text(f"SELECT embedding_model, count(*) FROM {table} GROUP BY 1")).all()
            out[table] = {r[0]: r[1] for r in rows}
    return out


async def local_world(client: httpx.AsyncClient, runtime: Runtime, admin: Account, alice: Account) -> None:
    """40 jobs, a resume and a query alert, all embedded by the local model."""
    await load_corpus(client, runtime, admin)
    await with_resume(client, runtime, alice, IT_PDF)
    response = await client.post(
        "/api/job-alerts", headers=alice.headers, json={"name": "data", "query": "data analyst SQL"}
    )
    assert response.status_code == 201, response.text
    await drain_queue(runtime)


@pytest.mark.slow
async def test_switch_reembeds_through_a_batch_that_survives_a_killed_worker(
    client: httpx.AsyncClient,
    runtime: Runtime,
    settings: Settings,
    admin: Account,
    alice: Account,
    admin_engine: Any,
    ai_settings: AISettings,
    openai: tuple[FakeOpenAI, str],
) -> None:
    fake, base_url = openai
    await local_world(client, runtime, admin, alice)
    assert models(admin_engine) == {
        "jobs": {MODEL_ID: 40},
        "resumes": {MODEL_ID: 1},
        "job_alerts": {MODEL_ID: 1},
    }
    ai = ai_settings(embedding_provider="openai")
    assert (await reembed.progress(runtime.database, ai)).pending == 42

    # A worker (the CLI) submits the batch, then dies while the provider works on it.
    env = {
        **os.environ,
        "JOBSWAP_ENVIRONMENT": "test",
        "JOBSWAP_DATA_DIR": str(settings.data_dir),
        "JOBSWAP_SECRET_KEY": settings.secret_key.get_secret_value(),
        "JOBSWAP_EMBEDDING_PROVIDER": "openai",
        "JOBSWAP_AI_BASE_URL": base_url,
        "JOBSWAP_AI_API_KEY": "sk-test-key",
        "JOBSWAP_OUTBOUND_ALLOW": '["127.0.0.0/8"]',
    }
    env.pop("DATABASE_URL", None)
    worker = subprocess.Popen(
        [sys.executable, "-m", "jobswap.cli", "embeddings", "reembed", "--poll-seconds", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while fake.batch_creations == 0 and time.monotonic() < deadline and worker.poll() is None:  # noqa: ASYNC110
        await asyncio.sleep(0.1)  # (the batch arrives in another thread, from another process)
    await asyncio.sleep(0.5)  # it is polling now
    assert worker.poll() is None, worker.communicate()
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    assert fake.batch_creations == 1
    with admin_engine.connect() as conn:
        row = conn.execute(text("SELECT state, provider_batch_id, items FROM embedding_batches")).one()
    assert row.state == "submitted" and row.provider_batch_id in fake.batches and row.items == 42

    # Worse: as if it died between the provider's answer and our commit. The batch is found
    # again by its metadata, not submitted (and paid for) twice.
    with admin_engine.begin() as conn:
        conn.execute(text("UPDATE embedding_batches SET state = 'submitting', provider_batch_id = NULL"))
    assert (await reembed.run(runtime.database, ai))["outcome"] == "in_progress"
    assert fake.batch_creations == 1
    progress = await reembed.progress(runtime.database, ai)
    assert progress.pending == 42 and progress.batch is not None
    assert progress.batch["provider_batch_id"] == row.provider_batch_id

    fake.complete_batches()
    assert (await reembed.run(runtime.database, ai))["outcome"] == "completed"
    assert fake.batch_creations == 1
    assert models(admin_engine) == {
        "jobs": {OPENAI_MODEL: 40},
        "resumes": {OPENAI_MODEL: 1},
        "job_alerts": {OPENAI_MODEL: 1},
    }
    assert (await reembed.progress(runtime.database, ai)).pending == 0
    assert (await reembed.run(runtime.database, ai))["outcome"] == "idle"
    async with runtime.database.transaction(Identity.service()) as session:
        job = (await session.execute(text("SELECT id FROM jobs LIMIT 1"))).scalar_one()
        stored = await session.get(Job, job)
        assert stored is not None
        assert [float(x) for x in stored.embedding] == pytest.approx(vector_for(job_text(stored)), abs=1e-6)
    with admin_engine.connect() as conn:
        usage = conn.execute(
            text(
                "SELECT prompt_tokens, cost_usd FROM ai_usage WHERE operation = 'batch' AND prompt_tokens > 0"
            )
        ).one()
    assert usage.cost_usd == pytest.approx(usage.prompt_tokens * 0.02 / 1e6 * 0.5)  # the batch price

    # Switching back re-embeds locally (no provider involved).
    before = len(fake.seen)
    assert (await reembed.run(runtime.database, settings))["embedded"] == 42
    assert models(admin_engine)["jobs"] == {MODEL_ID: 40} and len(fake.seen) == before


@pytest.mark.slow
async def test_matching_never_compares_vectors_of_two_models(
    client: httpx.AsyncClient,
    runtime: Runtime,
    admin: Account,
    alice: Account,
    admin_engine: Any,
    ai_settings: AISettings,
    openai: tuple[FakeOpenAI, str],
) -> None:
    fake, _ = openai
    await local_world(client, runtime, admin, alice)
    ai = ai_settings(embedding_provider="openai")
    async with app_client(ai, runtime) as web:
        # Switched, nothing re-embedded yet: the resume is embedded now by the provider, and
        # no job's (local) vector is compared with it.
        first = await web.post("/api/job-matches", headers=alice.headers, json={})
        assert first.status_code == 200, first.text
        items = first.json()["items"]
        assert items, "the full-text leg still finds jobs"
        assert all(item["parts"]["semantic"] is None for item in items)
        assert fake.calls("/v1/embeddings"), "the resume was embedded by the active model"

        # A provider without a Batch API (a self-hosted server): re-embedding uses /embeddings.
        fake.no_batch_api = True
        result = await reembed.run(runtime.database, ai)
        assert result == {"outcome": "embedded", "embedded": 42}
        assert models(admin_engine)["jobs"] == {OPENAI_MODEL: 40}

        again = await web.post("/api/job-matches", headers=alice.headers, json={})
        assert again.status_code == 200 and not again.json()["cached"]  # the model is in the cache key
        semantic = [i["parts"]["semantic"] for i in again.json()["items"]]
        assert semantic and all(s is not None for s in semantic)

        progress = await web.get("/api/admin/embeddings", headers=admin.headers)
        assert progress.status_code == 200
        assert progress.json()["model"] == OPENAI_MODEL and progress.json()["pending"] == 0
        assert (await web.get("/api/admin/embeddings", headers=alice.headers)).status_code == 403


async def test_one_pass_at_a_time_across_processes(
    runtime: Runtime, settings: Settings, admin_engine: Any
) -> None:
    """A second pass (the CLI beside the worker) waits its turn instead of submitting the same
    rows again."""
    with admin_engine.connect() as other:
        other.execute(text("SELECT pg_advisory_lock(:k)"), {"k": reembed.LOCK_KEY})
        try:
            assert (await reembed.run(runtime.database, settings)) == {"outcome": "busy", "embedded": 0}
        finally:
            other.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": reembed.LOCK_KEY})
    assert (await reembed.run(runtime.database, settings))["outcome"] == "idle"
