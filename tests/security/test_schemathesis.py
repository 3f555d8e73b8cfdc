"""Schemathesis over the whole OpenAPI, against a real `jobswap serve`, as an employee, an HR
user and an admin: no 5xx, and every documented response matches its schema. The examples per
operation are bounded so that this stays a CI check (README: the same command by hand)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
ST = Path(sys.executable).with_name("st")
ADMIN_PASSWORD = "schemathesis admin 1"


def _token(base: str, email: str, password: str) -> str:
    answer = httpx.post(f"{base}/api/auth/signin", data={"username": email, "password": password}, timeout=30)
    answer.raise_for_status()
    return str(answer.json()["access_token"])


@pytest.mark.slow
def test_no_server_errors_and_responses_match_the_schema(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "JOBSWAP_ENVIRONMENT": "test",
        "JOBSWAP_DATA_DIR": str(tmp_path / "var"),
        "JOBSWAP_SECRET_KEY": "s" * 48,
        "JOBSWAP_ARGON2_TIME_COST": "1",
        "JOBSWAP_ARGON2_MEMORY_COST_KIB": "1024",
        "JOBSWAP_LOG_LEVEL": "WARNING",
        "JOBSWAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        # the fuzzer signs in with wrong passwords many times; it must not lock itself out
        "JOBSWAP_SIGNIN_MAX_FAILURES": "100000",
        "JOBSWAP_SIGNIN_ACCOUNT_MAX_FAILURES": "100000",
        "JOBSWAP_SIGNIN_ADDRESS_MAX_ACCOUNTS": "100000",
        "JOBSWAP_SIGNIN_ADDRESS_MAX_FAILURES": "100000",
    }
    env.pop("DATABASE_URL", None)
    cli = [sys.executable, "-m", "jobswap.cli"]
    made = subprocess.run(
        [*cli, "create-admin", "--email", "admin@example.com"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        admin = _token(base, "admin@example.com", ADMIN_PASSWORD)
        auth = {"Authorization": f"Bearer {admin}"}
        employer = httpx.post(
            f"{base}/api/admin/employers", json={"name": "Acme"}, headers=auth, timeout=30
        ).json()
        for email, role in (("hr@example.com", "hr"), ("employee@example.com", "employee")):
            created = httpx.post(
                f"{base}/api/users",
                json={"email": email, "password": "role password 1", "role": role},
                headers=auth,
                timeout=30,
            )
            assert created.status_code == 201, created.text
            if role == "hr":
                httpx.put(
                    f"{base}/api/users/{created.json()['id']}",
                    json={"employer_id": employer["id"]},
                    headers=auth,
                    timeout=30,
                )
        tokens = {
            "employee": _token(base, "employee@example.com", "role password 1"),
            "hr": _token(base, "hr@example.com", "role password 1"),
            "admin": admin,
        }
        for role, token in tokens.items():
            run = subprocess.run(
                [
                    str(ST),
                    "run",
                    f"{base}/openapi.json",
                    "-H",
                    f"Authorization: Bearer {token}",
                    "--max-examples",
                    "8",
                    "--checks",
                    "not_a_server_error,response_schema_conformance",
                    "--phases",
                    "examples,coverage,fuzzing",
                    "--exclude-path-regex",
                    "^/api/auth/signout$",
                    "--seed",
                    "20261201",
                    "--no-color",
                    "--request-timeout",
                    "30",
                ],
                capture_output=True,
                text=True,
                timeout=400,
                cwd=tmp_path,
            )
            failures = run.stdout.partition("FAILURES")[2].partition("WARNINGS")[0]
            assert run.returncode == 0, f"as {role}:\n{failures[:8000] or run.stdout[-4000:]}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
