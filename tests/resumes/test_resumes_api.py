"""The resumes API end to end: upload, the queue's parse and embed, corrections, files, bad input."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from jobswap.config import Settings
from jobswap.db import AccessRole, Identity
from jobswap.resumes.service import RowNotVisibleYet, process
from jobswap.resumes.storage import LocalStorage
from jobswap.runtime import Runtime
from tests.conftest import Account
from tests.resumes import builders
from tests.resumes.test_parsing import ENGLISH

FIXTURES = Path(__file__).parent.parent / "fixtures" / "resumes"


async def upload(
    client: httpx.AsyncClient, who: Account, data: bytes, name: str = "cv.txt", ctype: str = "text/plain"
) -> httpx.Response:
    return await client.post("/api/resumes/upload", headers=who.headers, files={"file": (name, data, ctype)})


async def drain_queue(runtime: Runtime) -> None:
    await runtime.queue.run_worker_async(wait=False, install_signal_handlers=False)


def stored_files(settings: Settings) -> list[Path]:
    root = settings.data_dir / "files"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def test_upload_parse_and_embed(
    client: httpx.AsyncClient, runtime: Runtime, alice: Account, admin_engine: Any
) -> None:
    response = await upload(client, alice, ENGLISH.encode(), name="jane.txt", ctype="application/pdf")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending"
    pending = (await client.get(f"/api/resumes/{body['id']}", headers=alice.headers)).json()
    assert pending["status"] == "pending" and pending["data"] is None
    assert pending["kind"] == "text"  # decided by the content, not the claimed type or name

    await drain_queue(runtime)
    resume = (await client.get(f"/api/resumes/{body['id']}", headers=alice.headers)).json()
    assert resume["status"] == "parsed", resume
    assert resume["data"]["name"] == "Jane Q. Doe"
    assert resume["data"]["emails"] == ["jane.doe@example.com"]
    assert resume["language"] == "en"
    assert resume["has_embedding"] is True
    with admin_engine.connect() as conn:
        dims, norm = conn.execute(
            text("SELECT vector_dims(embedding), round((embedding <#> embedding)::numeric, 3) FROM resumes")
        ).one()
    assert dims == 384 and float(norm) == pytest.approx(-1.0, abs=0.01)  # unit length


async def test_real_pdf_upload(client: httpx.AsyncClient, runtime: Runtime, alice: Account) -> None:
    data = (FIXTURES / "ACCOUNTANT_10554236.pdf").read_bytes()
    response = await upload(client, alice, data, name="resume.bin", ctype="application/octet-stream")
    assert response.status_code == 202
    await drain_queue(runtime)
    resume = (await client.get(f"/api/resumes/{response.json()['id']}", headers=alice.headers)).json()
    assert resume["status"] == "parsed"
    assert resume["kind"] == "pdf" and resume["pages"] == 5
    assert resume["data"]["experience"], "dated jobs are found"
    assert resume["data"]["skills"], "skills are found"


async def test_corrections_survive_reparse_unless_discarded(
    client: httpx.AsyncClient, runtime: Runtime, alice: Account
) -> None:
    resume_id = (await upload(client, alice, ENGLISH.encode())).json()["id"]
    await drain_queue(runtime)
    url = f"/api/resumes/{resume_id}"
    corrected = await client.put(
        url, headers=alice.headers, json={"name": "Jane Doe-Smith", "skills": ["Go"]}
    )
    assert corrected.status_code == 200
    assert corrected.json()["data"]["name"] == "Jane Doe-Smith"
    assert corrected.json()["data"]["emails"] == ["jane.doe@example.com"]  # untouched fields stay parsed
    assert corrected.json()["corrected_fields"] == ["name", "skills"]

    again = await client.post(f"{url}/reparse", headers=alice.headers)
    assert again.status_code == 202 and again.json()["status"] == "pending"
    await drain_queue(runtime)
    after = (await client.get(url, headers=alice.headers)).json()
    assert after["status"] == "parsed" and after["data"]["name"] == "Jane Doe-Smith"

    await client.post(f"{url}/reparse", headers=alice.headers, params={"keep_corrections": "false"})
    await drain_queue(runtime)
    reset = (await client.get(url, headers=alice.headers)).json()
    assert reset["data"]["name"] == "Jane Q. Doe" and reset["corrected_fields"] == []

    for bad in (
        {"nickname": "J"},
        {"skills": "Go"},
        {"experience": [{"start": "last year"}]},
        {"emails": [1]},
    ):
        assert (await client.put(url, headers=alice.headers, json=bad)).status_code == 422, bad


async def test_owner_only_and_admin_reads_metadata(
    client: httpx.AsyncClient, alice: Account, bob: Account, admin: Account
) -> None:
    resume_id = (await upload(client, alice, ENGLISH.encode())).json()["id"]
    url = f"/api/resumes/{resume_id}"
    for method, path in [
        ("GET", url),
        ("PUT", url),
        ("DELETE", url),
        ("GET", f"{url}/file"),
        ("POST", f"{url}/reparse"),
    ]:
        response = await client.request(
            method, path, headers=bob.headers, json={} if method == "PUT" else None
        )
        assert response.status_code == 404, (method, path)
    assert (await client.get("/api/resumes", headers=bob.headers)).json()["total"] == 0
    listing = (await client.get("/api/resumes", headers=alice.headers)).json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == resume_id
    assert (await client.get(url, headers=admin.headers)).status_code == 200
    assert (
        await client.get(f"{url}/file", headers=admin.headers)
    ).status_code == 404  # the file is the owner's
    assert (await client.get(url)).status_code == 401


async def test_download_and_delete(client: httpx.AsyncClient, settings: Settings, alice: Account) -> None:
    data = builders.make_docx(builders.p("Jane Doe") + builders.p("jane@example.com"))
    resume_id = (await upload(client, alice, data, name="../../etc/Jäne CV\u202e.docx")).json()["id"]
    url = f"/api/resumes/{resume_id}"
    resume = (await client.get(url, headers=alice.headers)).json()
    assert resume["filename"] == "Jäne CV.docx"  # path and control characters removed
    download = await client.get(f"{url}/file", headers=alice.headers)
    assert download.status_code == 200 and download.content == data
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in download.headers["content-disposition"]
    assert len(stored_files(settings)) == 1

    assert (await client.delete(url, headers=alice.headers)).status_code == 204
    assert (await client.get(url, headers=alice.headers)).status_code == 404
    assert stored_files(settings) == []


BAD_UPLOADS = [
    ("empty", b"", "cv.pdf", 415, "empty"),
    ("executable", b"\x7fELF\x02\x01\x01" + b"\x00" * 500, "cv.pdf", 415, "Executables"),
    ("windows-exe", b"MZ\x90\x00" + b"\x00" * 500, "resume.docx", 415, "Executables"),
    ("claims-pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 500, "cv.pdf", 415, "Unsupported"),
    ("truncated-pdf", None, "cv.pdf", 422, "damaged or truncated"),
    ("encrypted-pdf", None, "cv.pdf", 422, "password-protected"),
    ("2000-pages", None, "cv.pdf", 422, "2000 pages"),
    ("image-only", None, "scan.pdf", 422, "no text layer"),
    ("zip-bomb", None, "cv.docx", 422, "50 MB|zip bomb|too large"),
    ("xxe", None, "cv.docx", 422, "entity or DTD"),
    ("invalid-utf8", b"Jane Doe\ncaf\xe9\xff\xfe r\xe9sum\xe9\n", "cv.txt", 422, "not valid UTF-8"),
]


def _bad_file(case: str) -> bytes:
    return {
        "truncated-pdf": lambda: builders.one_column_pdf(["Jane Doe"])[:400],
        "encrypted-pdf": builders.encrypted_pdf,
        "2000-pages": lambda: builders.many_pages_pdf(2000),
        "image-only": builders.image_only_pdf,
        "zip-bomb": lambda: builders.zip_bomb_docx(200),
        "xxe": builders.xxe_docx,
    }[case]()


@pytest.mark.parametrize(
    ("case", "data", "name", "status", "reason"), BAD_UPLOADS, ids=[b[0] for b in BAD_UPLOADS]
)
async def test_bad_uploads_get_a_clear_4xx_and_store_nothing(
    client: httpx.AsyncClient,
    settings: Settings,
    alice: Account,
    case: str,
    data: bytes | None,
    name: str,
    status: int,
    reason: str,
) -> None:
    kept = (await upload(client, alice, ENGLISH.encode())).json()["id"]
    payload = data if data is not None else _bad_file(case)
    for endpoint in ("/api/resumes/upload", "/api/resumes/parse"):
        response = await client.post(
            endpoint, headers=alice.headers, files={"file": (name, payload, "application/pdf")}
        )
        assert response.status_code == status, response.text
        error = response.json()["error"]
        assert error["message"] and __import__("re").search(reason, error["message"]), error
    listing = (await client.get("/api/resumes", headers=alice.headers)).json()
    assert [r["id"] for r in listing["items"]] == [kept]  # the earlier upload is intact
    assert len(stored_files(settings)) == 1


async def test_oversized_uploads_are_refused_while_streaming(
    client: httpx.AsyncClient, alice: Account
) -> None:
    big = b"x" * (50 * 1024 * 1024)
    declared = await upload(client, alice, big)
    assert declared.status_code == 413

    async def stream():  # type: ignore[no-untyped-def]
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="cv.txt"\r\n\r\n'
        for _ in range(50):
            yield b"y" * (1024 * 1024)
        yield b"\r\n--b--\r\n"

    streamed = await client.post(
        "/api/resumes/upload",
        headers={**alice.headers, "content-type": "multipart/form-data; boundary=b"},
        content=stream(),
    )
    assert streamed.status_code == 413
    assert streamed.json()["error"]["code"] == "payload_too_large"


async def test_parse_preview_stores_nothing(
    client: httpx.AsyncClient, settings: Settings, alice: Account
) -> None:
    response = await client.post(
        "/api/resumes/parse",
        headers=alice.headers,
        files={"file": ("cv.txt", ENGLISH.encode(), "text/plain")},
    )
    assert response.status_code == 200
    assert response.json()["data"]["name"] == "Jane Q. Doe"
    assert (await client.get("/api/resumes", headers=alice.headers)).json()["total"] == 0
    assert stored_files(settings) == []
    assert (
        await client.post("/api/resumes/parse", files={"file": ("a", b"x", "text/plain")})
    ).status_code == 401


async def test_slow_parse_is_stopped(
    client: httpx.AsyncClient, app: Any, alice: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app.state.settings, "parse_wall_seconds", 0.001)
    response = await upload(client, alice, ENGLISH.encode())
    assert response.status_code == 422
    assert "took longer" in response.json()["error"]["message"]


async def test_missing_stored_file_marks_the_resume_failed(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, alice: Account
) -> None:
    resume_id = (await upload(client, alice, ENGLISH.encode())).json()["id"]
    for path in stored_files(settings):
        path.unlink()
    await drain_queue(runtime)
    resume = (await client.get(f"/api/resumes/{resume_id}", headers=alice.headers)).json()
    assert resume["status"] == "failed"
    assert resume["failure_reason"] == "The stored file is missing; upload it again."


async def test_task_waits_for_the_upload_to_commit(runtime: Runtime, settings: Settings) -> None:
    with pytest.raises(RowNotVisibleYet):
        await process(
            uuid.uuid4(),
            settings=settings,
            database=runtime.database,
            storage=LocalStorage(settings.data_dir / "files"),
        )


async def test_rls_on_resumes(
    client: httpx.AsyncClient, runtime: Runtime, alice: Account, bob: Account
) -> None:
    await upload(client, alice, ENGLISH.encode())
    async with runtime.database.transaction(Identity(bob.id, AccessRole.EMPLOYEE)) as session:
        assert (await session.execute(text("SELECT count(*) FROM resumes"))).scalar_one() == 0
    async with runtime.database.transaction(Identity(alice.id, AccessRole.EMPLOYEE)) as session:
        assert (await session.execute(text("SELECT count(*) FROM resumes"))).scalar_one() == 1


async def test_deleting_the_user_deletes_resume_rows(
    client: httpx.AsyncClient, alice: Account, admin_engine: Any
) -> None:
    await upload(client, alice, ENGLISH.encode())
    assert (await client.delete(f"/api/users/{alice.id}", headers=alice.headers)).status_code == 204
    with admin_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM resumes")).scalar_one() == 0


def test_hnsw_index_exists(admin_engine: Any) -> None:
    with admin_engine.connect() as conn:
        definition = conn.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_resumes_embedding_hnsw'")
        ).scalar_one()
    assert "hnsw" in definition and "vector_cosine_ops" in definition
