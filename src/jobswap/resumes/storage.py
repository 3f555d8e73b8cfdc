"""Where uploaded files live: a local directory (default) or S3-compatible object storage."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

import anyio

from jobswap.config import Settings


class StorageError(Exception):
    pass


class Storage(Protocol):
    async def put(self, key: str, data: bytes, media_type: str) -> None: ...
    async def get(self, key: str) -> bytes: ...
    async def delete(self, key: str) -> None: ...
    async def exists(self, key: str) -> bool: ...


class LocalStorage:
    """Files under a directory; writes go to a temporary file first, so none is ever half-written."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise StorageError("invalid storage key")
        return path

    async def put(self, key: str, data: bytes, media_type: str) -> None:
        path = self._path(key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise

        await anyio.to_thread.run_sync(write)

    async def get(self, key: str) -> bytes:
        try:
            return await anyio.to_thread.run_sync(self._path(key).read_bytes)
        except FileNotFoundError:
            raise StorageError(f"stored file {key} is missing") from None

    async def delete(self, key: str) -> None:
        await anyio.to_thread.run_sync(lambda: self._path(key).unlink(missing_ok=True))

    async def exists(self, key: str) -> bool:
        return await anyio.to_thread.run_sync(self._path(key).exists)


class S3Storage:
    """Any S3-compatible service (AWS S3, MinIO, Cloudflare R2, Supabase Storage's S3 API)."""

    def __init__(self, settings: Settings) -> None:
        import boto3
        from botocore.config import Config  # type: ignore[import-untyped]

        self.bucket = settings.s3_bucket or ""
        self.prefix = settings.s3_prefix
        self._client: Any = boto3.client(  # type: ignore[no-untyped-call]
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id,
            aws_secret_access_key=settings.s3_secret_access_key.get_secret_value()
            if settings.s3_secret_access_key
            else None,
            config=Config(s3={"addressing_style": settings.s3_addressing_style}),
        )

    async def put(self, key: str, data: bytes, media_type: str) -> None:
        await anyio.to_thread.run_sync(
            lambda: self._client.put_object(
                Bucket=self.bucket, Key=self.prefix + key, Body=data, ContentType=media_type
            )
        )

    async def get(self, key: str) -> bytes:
        def read() -> bytes:
            try:
                response = self._client.get_object(Bucket=self.bucket, Key=self.prefix + key)
            except self._client.exceptions.NoSuchKey:
                raise StorageError(f"stored file {key} is missing") from None
            body: bytes = response["Body"].read()
            return body

        return await anyio.to_thread.run_sync(read)

    async def delete(self, key: str) -> None:
        await anyio.to_thread.run_sync(
            lambda: self._client.delete_object(Bucket=self.bucket, Key=self.prefix + key)
        )

    async def exists(self, key: str) -> bool:
        def head() -> bool:
            try:
                self._client.head_object(Bucket=self.bucket, Key=self.prefix + key)
            except Exception:
                return False
            return True

        return await anyio.to_thread.run_sync(head)


def build_storage(settings: Settings) -> Storage:
    if settings.storage_backend == "s3":
        return S3Storage(settings)
    return LocalStorage(settings.data_dir / "files")
