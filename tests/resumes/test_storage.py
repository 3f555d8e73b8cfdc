"""Storage backends: the local directory, and S3 against a real S3 API server on loopback (moto)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jobswap.resumes.storage import LocalStorage, S3Storage, StorageError
from tests.conftest import make_settings


async def _round_trip(storage: Any) -> None:
    await storage.put("resumes/u1/a.pdf", b"%PDF-1.4 data", "application/pdf")
    assert await storage.exists("resumes/u1/a.pdf")
    assert await storage.get("resumes/u1/a.pdf") == b"%PDF-1.4 data"
    await storage.put("resumes/u1/a.pdf", b"replaced", "application/pdf")
    assert await storage.get("resumes/u1/a.pdf") == b"replaced"
    await storage.delete("resumes/u1/a.pdf")
    assert not await storage.exists("resumes/u1/a.pdf")
    with pytest.raises(StorageError):
        await storage.get("resumes/u1/a.pdf")
    await storage.delete("resumes/u1/a.pdf")  # deleting twice is fine


async def test_local_storage(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "files")
    await _round_trip(storage)
    with pytest.raises(StorageError):
        await storage.put("../../escape.txt", b"x", "text/plain")
    assert not list((tmp_path / "files").rglob(".upload-*"))  # no temporary files left behind


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    moto_server = pytest.importorskip("moto.server")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.mark.parametrize("style", ["auto", "path"])  # path: how Supabase Storage's S3 API is reached
async def test_s3_storage(s3_server: str, tmp_path: Path, style: str) -> None:
    settings = make_settings(
        tmp_path,
        storage_backend="s3",
        s3_addressing_style=style,
        s3_bucket=f"jobswap-test-{style}",
        s3_prefix="tenant-a/",
        s3_endpoint_url=s3_server,
        s3_region="us-east-1",
        s3_access_key_id="test",
        s3_secret_access_key="test",
    )
    storage = S3Storage(settings)
    storage._client.create_bucket(Bucket=f"jobswap-test-{style}")
    await _round_trip(storage)
    await storage.put("k", b"v", "text/plain")
    listed = storage._client.list_objects_v2(Bucket=f"jobswap-test-{style}")["Contents"]
    assert [o["Key"] for o in listed] == ["tenant-a/k"]


def test_s3_needs_a_bucket(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="JOBSWAP_S3_BUCKET"):
        make_settings(tmp_path, storage_backend="s3")
