"""A local server that speaks the OpenAI API's format: embeddings, chat completions with a
JSON schema, files and batches; and misbehaves on demand (429 with rate-limit headers, 500s,
slow answers, no Batch API), recording when each request arrived."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.servers import serve_in_threads


def vector_for(text: str, dimensions: int = 384) -> list[float]:
    """The fake model's embedding: a unit vector seeded by the text, so tests can check it."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    values = np.random.default_rng(seed).standard_normal(dimensions)
    return [float(x) for x in values / np.linalg.norm(values)]


def tokens_of(text: str) -> int:
    return max(1, len(text.split()))


@dataclass
class FakeOpenAI:
    seen: list[tuple[str, float, dict[str, Any]]] = field(default_factory=list)  # path, time, body
    fail_next: int = 0  # this many requests get a 500 first
    down: bool = False  # every request gets a 503
    limit_next: int = 0  # this many get a 429 asking for retry_after_ms
    retry_after_ms: int = 200
    spent_quota_reset: str | None = None  # the next answer says the request quota is spent until this
    slow_seconds: float = 0.0
    no_batch_api: bool = False
    dimensions_override: int | None = None  # answer vectors of this size whatever was asked
    chat_answer: dict[str, Any] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    batch_creations: int = 0
    auth: str | None = None  # the Authorization header last seen

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/embeddings", self.embeddings, methods=["POST"]),
                Route("/v1/chat/completions", self.chat, methods=["POST"]),
                Route("/v1/files", self.upload, methods=["POST"]),
                Route("/v1/files/{file_id}/content", self.file_content, methods=["GET"]),
                Route("/v1/batches", self.create_batch, methods=["POST"]),
                Route("/v1/batches", self.list_batches, methods=["GET"]),
                Route("/v1/batches/{batch_id}", self.get_batch, methods=["GET"]),
            ]
        )

    def calls(self, path: str) -> list[tuple[float, dict[str, Any]]]:
        return [(t, b) for p, t, b in self.seen if p == path]

    def reset(self) -> None:
        self.seen.clear()
        self.fail_next = self.limit_next = 0
        self.down = self.no_batch_api = False
        self.slow_seconds = 0.0
        self.spent_quota_reset = None
        self.dimensions_override = None
        self.chat_answer = {}
        self.files.clear()
        self.batches.clear()
        self.batch_creations = 0

    async def _gate(self, request: Request, body: dict[str, Any]) -> Response | None:
        self.seen.append((request.url.path, time.monotonic(), body))
        self.auth = request.headers.get("authorization")
        if self.slow_seconds:
            await asyncio.sleep(self.slow_seconds)
        if self.down:
            return JSONResponse({"error": {"message": "overloaded"}}, status_code=503)
        if self.fail_next > 0:
            self.fail_next -= 1
            return JSONResponse({"error": {"message": "internal error"}}, status_code=500)
        if self.limit_next > 0:
            self.limit_next -= 1
            return JSONResponse(
                {"error": {"message": "Rate limit reached", "type": "requests"}},
                status_code=429,
                headers={
                    "retry-after-ms": str(self.retry_after_ms),
                    "x-ratelimit-remaining-requests": "0",
                    "x-ratelimit-reset-requests": f"{self.retry_after_ms}ms",
                },
            )
        return None

    def _headers(self) -> dict[str, str]:
        if self.spent_quota_reset is None:
            return {"x-ratelimit-remaining-requests": "99"}
        reset, self.spent_quota_reset = self.spent_quota_reset, None
        return {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": reset}

    def _embed(self, body: dict[str, Any]) -> dict[str, Any]:
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        size = self.dimensions_override or int(body.get("dimensions") or 1536)
        return {
            "object": "list",
            "model": body["model"],
            "data": [
                {"object": "embedding", "index": i, "embedding": vector_for(t, size)}
                for i, t in enumerate(inputs)
            ],
            "usage": {"prompt_tokens": sum(tokens_of(t) for t in inputs), "total_tokens": 0},
        }

    async def embeddings(self, request: Request) -> Response:
        body = await request.json()
        if (stop := await self._gate(request, body)) is not None:
            return stop
        return JSONResponse(self._embed(body), headers=self._headers())

    async def chat(self, request: Request) -> Response:
        body = await request.json()
        if (stop := await self._gate(request, body)) is not None:
            return stop
        fmt = body.get("response_format") or {}
        assert fmt.get("type") == "json_schema" and fmt["json_schema"]["strict"] is True
        prompt = sum(tokens_of(m["content"]) for m in body["messages"])
        content = json.dumps(self.chat_answer)
        return JSONResponse(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": prompt, "completion_tokens": tokens_of(content)},
            },
            headers=self._headers(),
        )

    async def upload(self, request: Request) -> Response:
        if self.no_batch_api:
            self.seen.append((request.url.path, time.monotonic(), {}))
            return JSONResponse({"error": {"message": "Not found"}}, status_code=404)
        form = await request.form()
        upload = form["file"]
        assert form["purpose"] == "batch" and not isinstance(upload, str)
        content = await upload.read()
        if (stop := await self._gate(request, {"bytes": len(content)})) is not None:
            return stop
        file_id = f"file-{uuid.uuid4().hex[:12]}"
        self.files[file_id] = content
        return JSONResponse({"id": file_id, "object": "file", "purpose": "batch", "bytes": len(content)})

    async def create_batch(self, request: Request) -> Response:
        body = await request.json()
        if (stop := await self._gate(request, body)) is not None:
            return stop
        assert body["endpoint"] == "/v1/embeddings" and body["input_file_id"] in self.files
        self.batch_creations += 1
        batch_id = f"batch_{uuid.uuid4().hex[:12]}"
        self.batches[batch_id] = {
            "id": batch_id,
            "object": "batch",
            "endpoint": body["endpoint"],
            "input_file_id": body["input_file_id"],
            "status": "in_progress",
            "metadata": body.get("metadata") or {},
            "output_file_id": None,
            "request_counts": {"total": 0, "completed": 0, "failed": 0},
        }
        return JSONResponse(self.batches[batch_id])

    def complete_batches(self) -> None:
        """Every batch in progress finishes: its output file holds one answer per request line."""
        for batch in self.batches.values():
            if batch["status"] != "in_progress":
                continue
            lines = self.files[batch["input_file_id"]].decode().splitlines()
            out = []
            for line in lines:
                item = json.loads(line)
                out.append(
                    json.dumps(
                        {
                            "id": f"req-{uuid.uuid4().hex[:8]}",
                            "custom_id": item["custom_id"],
                            "response": {"status_code": 200, "body": self._embed(item["body"])},
                            "error": None,
                        }
                    )
                )
            output_id = f"file-{uuid.uuid4().hex[:12]}"
            self.files[output_id] = ("\n".join(out) + "\n").encode()
            batch.update(
                status="completed",
                output_file_id=output_id,
                request_counts={"total": len(lines), "completed": len(lines), "failed": 0},
            )

    async def list_batches(self, request: Request) -> Response:
        if (stop := await self._gate(request, {})) is not None:
            return stop
        return JSONResponse({"object": "list", "data": list(self.batches.values())[::-1]})

    async def get_batch(self, request: Request) -> Response:
        if (stop := await self._gate(request, {})) is not None:
            return stop
        batch = self.batches.get(request.path_params["batch_id"])
        if batch is None:
            return JSONResponse({"error": {"message": "No such batch"}}, status_code=404)
        return JSONResponse(batch)

    async def file_content(self, request: Request) -> Response:
        if (stop := await self._gate(request, {})) is not None:
            return stop
        content = self.files.get(request.path_params["file_id"])
        if content is None:
            return JSONResponse({"error": {"message": "No such file"}}, status_code=404)
        return Response(content, media_type="application/jsonl")


@pytest.fixture(scope="session")
def openai_server() -> Iterator[tuple[FakeOpenAI, str]]:
    fake = FakeOpenAI()
    with serve_in_threads(fake.app()) as [url]:
        yield fake, f"{url}/v1"


@pytest.fixture
def openai(openai_server: tuple[FakeOpenAI, str]) -> Iterator[tuple[FakeOpenAI, str]]:
    openai_server[0].reset()
    yield openai_server
    openai_server[0].reset()
