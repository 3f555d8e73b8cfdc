"""The seed's variable names work as aliases, and the AI options are off unless asked for."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobswap.config import Settings


def settings_from_env(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]


def test_seed_names_are_aliases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENDGRID_API_KEY", "SG.seed-key")
    monkeypatch.setenv("EMAIL_FROM", "Acme Jobs <jobs@acme.example>")
    monkeypatch.setenv("APP_URL", "https://jobs.acme.example")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-seed")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://llm.internal:8000/v1")
    found = settings_from_env(tmp_path)
    assert (found.smtp_host, found.smtp_port, found.smtp_security) == ("smtp.sendgrid.net", 587, "starttls")
    assert found.smtp_username == "apikey"
    assert found.smtp_password is not None and found.smtp_password.get_secret_value() == "SG.seed-key"
    assert (
        found.email_from == "Acme Jobs <jobs@acme.example>" and found.app_url == "https://jobs.acme.example"
    )
    assert found.ai_api_key is not None and found.ai_api_key.get_secret_value() == "sk-seed"
    assert found.ai_base_url == "http://llm.internal:8000/v1"
    assert not found.ai_wanted  # a key alone turns nothing on


def test_an_explicit_smtp_host_wins_over_sendgrid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENDGRID_API_KEY", "SG.seed-key")
    monkeypatch.setenv("JOBSWAP_SMTP_HOST", "smtp.postmarkapp.com")
    monkeypatch.setenv("JOBSWAP_SMTP_USERNAME", "server-token")
    found = settings_from_env(tmp_path)
    assert found.smtp_host == "smtp.postmarkapp.com" and found.smtp_username == "server-token"


def test_defaults_keep_everything_local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("JOBSWAP_EMBEDDING_PROVIDER", "JOBSWAP_RESUME_PARSER", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    found = settings_from_env(tmp_path)
    assert found.embedding_provider == "local" and found.resume_parser == "rules" and not found.ai_wanted
