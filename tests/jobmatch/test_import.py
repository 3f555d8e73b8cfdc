"""Bulk import: JSON Lines and CSV, column maps, bad rows reported by line and never fatal,
idempotent re-imports, the run's counters, the admin rule, and the CLI with its exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from jobswap.config import Settings
from jobswap.runtime import Runtime
from tests.conftest import Account
from tests.jobmatch.conftest import SAMPLE, import_rows, jsonl, sample
from tests.resumes.test_resumes_api import drain_queue


async def test_jsonl_import_reports_bad_rows_by_line_and_keeps_the_rest(
    client: httpx.AsyncClient, runtime: Runtime, admin: Account, admin_engine: Any
) -> None:
    good = sample()[:5]
    lines = [json.dumps(r) for r in good[:2]]
    lines += [
        "{not json",  # line 3
        "[1, 2, 3]",  # line 4: not an object
        json.dumps({**good[2], "title": {"nested": True}}),  # line 5: a wrong type
        json.dumps({**good[2], "title": ""}),  # line 6: the pipeline rejects it
        json.dumps({**good[2], "max_salary": "lots"}),  # line 7
        json.dumps({**good[2], "remote_allowed": "maybe"}),  # line 8
        "",
        *[json.dumps(r) for r in good[2:]],  # lines 10-12
    ]
    response = await import_rows(client, admin, ("\n".join(lines) + "\n").encode(), "export.jsonl")
    assert response.status_code == 201, response.text
    run = response.json()
    assert run["status"] == "partial" and run["sources"] == ["import"]
    state = run["per_source"]["import"]
    assert state["rows"] == 11 and state["new"] == 5 and state["bad"] == 5 and state["rejected"] == 1
    problems = {p["line"]: p["error"] for p in state["bad_rows"]}
    assert sorted(problems) == [3, 4, 5, 6, 7, 8]
    assert "not JSON" in problems[3] and "object" in problems[4] and "title must be text" in problems[5]
    assert (
        problems[6] == "rejected: missing_title"
        and "max_salary" in problems[7]
        and "remote_allowed" in problems[8]
    )
    assert run["postings_new"] == 5 and run["postings_rejected"] == 1 and run["errors"] == {"bad_row": 5}
    with admin_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM jobs")).scalar_one() == 5
        assert conn.execute(text("SELECT count(*) FROM jobs WHERE embedding IS NOT NULL")).scalar_one() == 0
    await drain_queue(runtime)  # embedding is queued by the import
    with admin_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM jobs WHERE embedding IS NOT NULL")).scalar_one() == 5
        occupied = conn.execute(
            text("SELECT count(*) FROM jobs WHERE occupation_code IS NOT NULL")
        ).scalar_one()
        placed = conn.execute(text("SELECT count(*) FROM jobs WHERE latitude IS NOT NULL")).scalar_one()
    assert occupied >= 4 and placed >= 4

    again = (await import_rows(client, admin, jsonl(good), "export.jsonl")).json()
    assert again["status"] == "succeeded" and again["postings_new"] == 0  # the same postings, not copies


async def test_csv_with_a_column_map(client: httpx.AsyncClient, admin: Account, admin_engine: Any) -> None:
    rows = sample()[:3]
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=["Job Title", "Employer", "Where", "Text", "Pay From", "Pay To", "Per"]
    )
    writer.writeheader()
    for r in rows:
        cells = [r["title"], r["company"], r["location"], r["description"], "50000", "70000", "yearly"]
        writer.writerow(dict(zip(writer.fieldnames, cells, strict=True)))
    mapping = ["title=Job Title", "company=Employer", "location=Where", "description=Text",
               "min_salary=Pay From", "max_salary=Pay To", "pay_period=Per"]  # fmt: skip
    response = await import_rows(client, admin, out.getvalue().encode(), "ats.csv", map=mapping)
    assert response.status_code == 201, response.text
    assert response.json()["postings_new"] == 3 and response.json()["status"] == "succeeded"
    with admin_engine.connect() as conn:
        pay = conn.execute(text("SELECT DISTINCT salary_annual_min, salary_annual_max FROM jobs")).all()
    assert pay == [(50000.0, 70000.0)]

    unknown = await import_rows(client, admin, b"title\nx\n", "a.csv", map=["salary_of_dreams=x"])
    assert unknown.status_code == 400 and "unknown column" in unknown.json()["error"]["message"]
    malformed = await import_rows(client, admin, b"title\nx\n", "a.csv", map=["no equals sign"])
    assert malformed.status_code == 400
    ragged = await import_rows(client, admin, b'title,company\n"a,b,c\n', "ragged.csv")
    assert ragged.status_code == 201 and ragged.json()["status"] == "failed"
    empty = await import_rows(client, admin, b"", "empty.jsonl")
    assert empty.status_code == 201 and empty.json()["status"] == "failed"
    assert empty.json()["message"] == "the file holds no rows"
    binary = await import_rows(client, admin, bytes(range(256)) * 10, "noise.bin")
    assert binary.status_code == 201 and binary.json()["status"] == "failed"


async def test_only_admins_import(client: httpx.AsyncClient, alice: Account) -> None:
    response = await import_rows(client, alice, jsonl(sample()[:1]))
    assert response.status_code == 403


@pytest.mark.slow
def test_import_command(settings: Settings, runtime: Any, admin_engine: Any, tmp_path: Any) -> None:
    env = {
        **os.environ,
        "JOBSWAP_ENVIRONMENT": "test",
        "JOBSWAP_DATA_DIR": str(settings.data_dir),
        "JOBSWAP_SECRET_KEY": settings.secret_key.get_secret_value(),
        "COLUMNS": "250",
    }
    env.pop("DATABASE_URL", None)
    cmd = [sys.executable, "-m", "jobswap.cli", "jobs", "import"]
    done = subprocess.run([*cmd, str(SAMPLE)], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "succeeded: 40 rows, 40 new" in done.stdout
    with admin_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM jobs WHERE embedding IS NOT NULL")).scalar_one() == 40
        run = conn.execute(text("SELECT status, postings_new FROM scrape_runs")).one()
    assert tuple(run) == ("succeeded", 40)

    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(sample()[0] | {"job_id": "x1"}) + "\n{oops\n")
    partial = subprocess.run(
        [*cmd, str(bad), "--no-embed"], env=env, capture_output=True, text=True, timeout=300
    )
    assert partial.returncode == 2 and "line 2: not JSON" in partial.stdout
    mapped = subprocess.run(
        [*cmd, str(bad), "--map", "nonsense"], env=env, capture_output=True, text=True, timeout=300
    )
    assert mapped.returncode == 1 and "ours=theirs" in mapped.stderr


async def test_jobs_stored_without_embedding_are_swept_up(runtime: Runtime, admin_engine: Any) -> None:
    """A CLI import with --no-embed (or a lost task) leaves jobs with no vector: the periodic
    sweep queues them, and the embedding task then hands them to the alert pass."""
    from jobswap.db import Identity
    from jobswap.jobs import importing
    from jobswap.jobs.tasks import EMBED_MISSING_TASK

    run = await importing.run_import(
        runtime.database, Identity.service(), io.BytesIO(jsonl(sample()[:6])), "a.jsonl"
    )
    assert run.postings_new == 6
    with admin_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM jobs WHERE embedding IS NULL")).scalar_one() == 6
    await runtime.queue.configure_task(EMBED_MISSING_TASK).defer_async(timestamp=0)
    await drain_queue(runtime)
    with admin_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM jobs WHERE embedding IS NULL")).scalar_one() == 0
        tasks = conn.execute(
            text("SELECT task_name, count(*) FROM procrastinate_jobs WHERE status = 'succeeded' GROUP BY 1")
        ).all()
    done = dict(tasks)  # the worker's own schedule may add a sweep of its own: at least one each
    assert done.get("jobs.embed", 0) >= 1 and done.get("jobmatch.alerts", 0) >= 1
