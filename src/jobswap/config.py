"""Settings, read once from the environment (and an optional `.env` file).

Every variable is documented in `.env.example`. Names carry the `JOBSWAP_`
prefix, except `DATABASE_URL`, which keeps the name every host already uses.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "jobswap-development-secret-do-not-use-in-production"  # noqa: S105


class Environment(enum.StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="JOBSWAP_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    environment: Environment = Environment.DEVELOPMENT
    data_dir: Path = Path("var")

    # --- database ---------------------------------------------------------
    database_url: Annotated[
        str | None, Field(validation_alias=AliasChoices("DATABASE_URL", "JOBSWAP_DATABASE_URL"))
    ] = None
    # The URL the request path uses. Unset: the DATABASE_URL server, logged in as
    # `database_app_role` with a password derived from the secret key.
    database_app_url: str | None = None
    database_app_role: str = Field(default="jobswap_app", pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    database_name: str = Field(default="jobswap", pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_statement_timeout_ms: int = Field(default=15_000, ge=100)

    # --- auth ---------------------------------------------------------------
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET_KEY)
    jwt_algorithm: str = "HS256"
    access_token_ttl_seconds: int = Field(default=900, ge=30, le=86_400)
    refresh_token_ttl_seconds: int = Field(default=30 * 86_400, ge=300)
    # Failed sign-ins are counted within the window. One account from one address is slowed
    # after a few; one account from everywhere, or one address across many accounts (credential
    # stuffing), only after many, so that one person's typos never lock out a shared office.
    signin_max_failures: int = Field(default=5, ge=1)  # per account and address
    signin_account_max_failures: int = Field(default=20, ge=1)  # per account, from all addresses
    signin_address_max_accounts: int = Field(default=10, ge=1)  # distinct accounts failing from one address
    signin_address_max_failures: int = Field(default=200, ge=1)  # all failures from one address
    signin_window_seconds: int = Field(default=900, ge=1)
    # Past a limit, the wait doubles with each further failure, from this up to the maximum.
    signin_backoff_seconds: int = Field(default=30, ge=1)
    signin_backoff_max_seconds: int = Field(default=900, ge=1)
    # argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
    argon2_time_cost: int = Field(default=2, ge=1)
    argon2_memory_cost_kib: int = Field(default=19_456, ge=8)
    argon2_parallelism: int = Field(default=1, ge=1)

    # --- HTTP -----------------------------------------------------------------
    max_request_bytes: int = Field(default=1_048_576, ge=1024)
    cors_origins: list[str] = []
    # /metrics: open in development; elsewhere only with this bearer token, or from these networks.
    metrics_token: SecretStr | None = None
    metrics_allow: list[str] = ["127.0.0.1/32", "::1/128"]
    # Error reports to Sentry when a DSN is set (personal data scrubbed); unset: none sent.
    sentry_dsn: SecretStr | None = None
    log_level: str = "INFO"
    log_json: bool = True

    # --- resumes ----------------------------------------------------------------
    resume_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    resume_max_pages: int = Field(default=30, ge=1)
    parse_memory_mb: int = Field(default=1024, ge=128)
    parse_cpu_seconds: int = Field(default=30, ge=1)
    parse_wall_seconds: float = Field(default=45.0, gt=0)
    phone_region: str = Field(default="US", pattern=r"^[A-Z]{2}$")  # for numbers written without +country
    embed_threads: int = Field(default=1, ge=1, le=16)
    resume_sweep_cron: str = "*/10 * * * *"

    # --- swap matching ------------------------------------------------------------
    swap_min_minutes: float = Field(default=10.0, ge=0)  # every member's commute improves by this much
    swap_min_fraction: float = Field(default=0.15, ge=0, lt=1)  # ... and by this share of it
    salary_tolerance: float = Field(default=0.10, ge=0, le=1)  # bands may miss each other by this share
    salary_currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")  # compare bands in this one
    # Across SOC broad groups, only O*NET-related occupations at least this equivalent swap:
    # 0.8 Primary-Short, 0.6 Primary-Long, 0.4 Supplemental; above 0.8 turns it off.
    swap_min_related_equivalence: float = Field(default=0.6, ge=0, le=1.01)
    swap_max_options: int = Field(default=10, ge=1, le=100)  # options kept per person
    swap_clearing_seconds: float = Field(default=5.0, gt=0)  # exact clearing's time budget
    match_run_cron: str = "30 3 * * *"
    # Geocoding: "offline" (bundled gazetteer) or a service; routing: "estimate" or a service.
    geocoder: Literal["offline", "nominatim", "photon", "google"] = "offline"
    geocoder_url: str = "https://nominatim.openstreetmap.org"
    geocoder_per_second: float = Field(default=1.0, gt=0)  # Nominatim's public usage policy
    router: Literal["estimate", "osrm", "google"] = "estimate"
    router_url: str = "https://router.project-osrm.org"
    osrm_max_locations: int = Field(default=100, ge=2)
    # With a router: refit the offline estimator from its answers (see docs/commute-model.md).
    commute_calibration: bool = True
    commute_calibration_min_samples: int = Field(default=200, ge=30)
    google_api_key: SecretStr | None = None
    google_url: str = "https://maps.googleapis.com"
    http_user_agent: str = "JobSwap/0.1 (self-hosted job-swap service)"
    # Non-public destinations (hosts, addresses or CIDR blocks) that outbound requests may reach
    # anyway, e.g. ["osrm.internal", "10.0.0.0/8"]; loopback and private ones are refused otherwise.
    outbound_allow: list[str] = []

    # --- job ingestion --------------------------------------------------------------
    # Each source's base URL, so that tests and demos point adapters at a local server.
    linkedin_url: str = "https://www.linkedin.com"
    indeed_url: str = "https://apis.indeed.com"
    glassdoor_url: str = "https://www.glassdoor.com"
    ziprecruiter_url: str = "https://api.ziprecruiter.com"
    careerbuilder_url: str = "https://www.careerbuilder.com"
    greenhouse_url: str = "https://boards-api.greenhouse.io"
    lever_url: str = "https://api.lever.co"
    scrape_user_agent: str = "JobSwapBot/0.1 (+https://github.com/jobswap/jobswap; self-hosted job search)"
    scrape_user_agents: list[str] = []  # when set, rotated per request instead of the one above
    scrape_proxies: list[str] = []  # e.g. http://user:pass@proxy:3128, chosen per host
    scrape_per_host_per_second: float = Field(default=1.0, gt=0)  # robots.txt Crawl-delay can lower it
    scrape_per_host_concurrency: int = Field(default=2, ge=1, le=32)
    scrape_concurrency: int = Field(default=16, ge=1, le=256)  # across all hosts
    scrape_connect_timeout: float = Field(default=5.0, gt=0)
    scrape_read_timeout: float = Field(default=20.0, gt=0)
    scrape_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    scrape_retries: int = Field(default=4, ge=0, le=10)
    scrape_backoff_seconds: float = Field(default=1.0, ge=0)  # first retry's base delay; doubles
    scrape_max_retry_after: float = Field(default=300.0, ge=0)  # longer Retry-After: give up
    job_import_max_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)  # POST /api/jobs/import
    scrape_schedule_cron: str = "* * * * *"  # how often saved searches are checked for being due
    scrape_run_stale_seconds: int = Field(default=900, ge=30)  # a running run silent this long is stuck

    # --- e-mail and notifications -----------------------------------------------------
    # Links in e-mails are built from this address (the seed's APP_URL is accepted too).
    app_url: Annotated[str, Field(validation_alias=AliasChoices("JOBSWAP_APP_URL", "APP_URL"))] = (
        "http://127.0.0.1:8000"
    )
    product_name: str = "JobSwap"
    email_from: Annotated[str, Field(validation_alias=AliasChoices("JOBSWAP_EMAIL_FROM", "EMAIL_FROM"))] = (
        "JobSwap <no-reply@jobswap.invalid>"
    )
    # Unset: mails are written as .eml files under JOBSWAP_DATA_DIR/mail and logged.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    # The seed's SendGrid key: with no JOBSWAP_SMTP_HOST, mail goes through SendGrid's SMTP relay.
    sendgrid_api_key: Annotated[
        SecretStr | None, Field(validation_alias=AliasChoices("JOBSWAP_SENDGRID_API_KEY", "SENDGRID_API_KEY"))
    ] = None
    smtp_timeout_seconds: float = Field(default=20.0, gt=0)
    email_max_attempts: int = Field(default=6, ge=1, le=30)
    email_retry_seconds: int = Field(default=30, ge=0)  # first retry's wait; doubles each time
    outbox_sweep_cron: str = "* * * * *"  # pending mails whose task was lost are queued again
    email_verification_ttl_seconds: int = Field(default=2 * 86_400, ge=60)
    password_reset_ttl_seconds: int = Field(default=3600, ge=60)
    email_resend_interval_seconds: int = Field(default=60, ge=0)  # between two mails of one kind
    email_max_per_day: int = Field(default=5, ge=1)  # verification or reset mails per account

    # --- swap workflow ------------------------------------------------------------------
    swap_request_ttl_days: int = Field(default=14, ge=1, le=365)
    swap_reminder_days: int = Field(default=3, ge=0, le=364)  # reminder this long before expiry
    swap_max_open_outgoing: int = Field(default=3, ge=1, le=100)
    swap_message_max_chars: int = Field(default=2000, ge=0, le=10_000)
    swap_expiry_cron: str = "*/15 * * * *"
    # The HR cost model's assumptions; docs/cost-model.md gives the source of each.
    hr_currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    hr_default_salary: float = Field(default=60_000.0, gt=0)  # when a band says nothing usable
    hr_work_days_per_year: float = Field(default=230.0, gt=0, le=366)
    hr_value_of_time_share: float = Field(default=0.5, ge=0, le=2)
    hr_employer_time_share: float = Field(default=0.1, ge=0, le=1)
    hr_vehicle_cost_per_km: float = Field(default=0.13, ge=0)
    hr_voluntary_turnover_rate: float = Field(default=0.11, ge=0, le=1)
    hr_turnover_commute_effect: float = Field(default=0.2, ge=0, le=1)
    hr_replacement_cost_share: float = Field(default=0.21, ge=0, le=5)
    hr_absence_rate: float = Field(default=0.03, ge=0, le=1)
    hr_absence_commute_elasticity: float = Field(default=0.08, ge=0, le=1)
    hr_cost_per_hire: float = Field(default=4129.0, ge=0)
    hr_swap_onboarding_share: float = Field(default=0.5, ge=0, le=5)

    # --- optional AI providers (off by default: nothing leaves this machine) ---------------
    # "openai": any OpenAI-compatible server (OpenAI, Azure OpenAI, vLLM, Ollama, llama.cpp).
    # Switching provider re-embeds every stored vector in the background (see docs/ai-providers.md).
    embedding_provider: Literal["local", "openai"] = "local"
    # "ai" sends each resume's extracted text (personal data) to the chat model at ai_base_url.
    resume_parser: Literal["rules", "ai"] = "rules"
    ai_base_url: Annotated[
        str, Field(validation_alias=AliasChoices("JOBSWAP_AI_BASE_URL", "OPENAI_BASE_URL"))
    ] = "https://api.openai.com/v1"
    ai_api_key: Annotated[
        SecretStr | None, Field(validation_alias=AliasChoices("JOBSWAP_AI_API_KEY", "OPENAI_API_KEY"))
    ] = None
    ai_api_version: str | None = None  # Azure OpenAI: sent as ?api-version=, with an api-key header
    ai_embedding_model: str = Field(default="text-embedding-3-small", min_length=1, max_length=200)
    ai_send_dimensions: bool = True  # ask for 384 dimensions (servers that cannot must answer 384)
    ai_chat_model: str = Field(default="gpt-4o-mini", min_length=1, max_length=200)
    ai_requests_per_minute: float = Field(default=500.0, gt=0)  # per process
    ai_tokens_per_minute: int = Field(default=200_000, ge=1000)  # per process
    ai_timeout_seconds: float = Field(default=60.0, gt=0)
    ai_max_retries: int = Field(default=4, ge=0, le=10)
    ai_backoff_seconds: float = Field(default=1.0, ge=0)  # first retry's base delay; doubles, jittered
    ai_max_retry_after: float = Field(default=120.0, ge=0)  # a longer Retry-After counts as down
    ai_breaker_failures: int = Field(default=3, ge=1)  # failed calls in a row that open the breaker
    ai_breaker_seconds: float = Field(default=60.0, gt=0)  # how long it stays open before a trial call
    ai_use_batch: bool = True  # re-embedding through the provider's batch API when it has one
    ai_batch_size: int = Field(default=5000, ge=1, le=50_000)  # rows per re-embedding batch
    ai_resume_max_chars: int = Field(default=30_000, ge=1000)
    # US dollars per million tokens, [input, output], for the cost shown in /api/admin/usage.
    ai_prices: dict[str, tuple[float, float]] = {
        "text-embedding-3-small": (0.02, 0.0),
        "text-embedding-3-large": (0.13, 0.0),
        "gpt-4o-mini": (0.15, 0.60),
        "gpt-4.1-mini": (0.40, 1.60),
        "gpt-4o": (2.50, 10.0),
    }
    ai_batch_discount: float = Field(default=0.5, ge=0, le=1)  # the batch API's price share
    reembed_cron: str = "* * * * *"

    # --- file storage -------------------------------------------------------------
    storage_backend: Literal["local", "s3"] = "local"
    s3_bucket: str | None = None
    s3_prefix: str = ""
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    # "path" for services that want https://host/bucket/key (Supabase Storage, most MinIO setups).
    s3_addressing_style: Literal["auto", "path", "virtual"] = "auto"

    # --- background work ---------------------------------------------------
    run_worker: bool = True  # `jobswap serve` runs a procrastinate worker in-process
    # `jobswap serve --demo`: load the demo city into an empty database (once), then serve.
    demo: bool = False
    demo_people: int = Field(default=2400, ge=10, le=100_000)
    worker_concurrency: int = Field(default=4, ge=1, le=64)
    token_purge_cron: str = "17 * * * *"  # noqa: S105  (a schedule, not a secret)

    @model_validator(mode="after")
    def _refuse_insecure_secret(self) -> Settings:
        if self.environment is Environment.DEVELOPMENT:
            return self
        secret = self.secret_key.get_secret_value()
        if secret == DEFAULT_SECRET_KEY:
            raise ValueError(
                f"JOBSWAP_SECRET_KEY is the built-in development secret; set a random secret "
                f"(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`) "
                f"before running with JOBSWAP_ENVIRONMENT={self.environment.value}"
            )
        if len(secret) < 32:
            raise ValueError("JOBSWAP_SECRET_KEY must be at least 32 characters long")
        return self

    @model_validator(mode="after")
    def _s3_needs_a_bucket(self) -> Settings:
        if self.storage_backend == "s3" and not self.s3_bucket:
            raise ValueError("JOBSWAP_STORAGE_BACKEND=s3 needs JOBSWAP_S3_BUCKET")
        return self

    @model_validator(mode="after")
    def _sendgrid_relay(self) -> Settings:
        if self.sendgrid_api_key is not None and self.smtp_host is None:
            self.smtp_host, self.smtp_port, self.smtp_security = "smtp.sendgrid.net", 587, "starttls"
            self.smtp_username, self.smtp_password = "apikey", self.sendgrid_api_key
        return self

    @property
    def ai_wanted(self) -> bool:
        """Whether anything is configured to call the AI provider."""
        return self.embedding_provider == "openai" or self.resume_parser == "ai"

    @property
    def mail_dir(self) -> Path:
        return self.data_dir.resolve() / "mail"

    @property
    def embedded_database(self) -> bool:
        return self.database_url is None

    @property
    def pgdata_dir(self) -> Path:
        return self.data_dir.resolve() / "pgdata"

    def derived_secret(self, purpose: str) -> str:
        """A stable secret for `purpose`, so one key rotates everything derived from it."""
        key = self.secret_key.get_secret_value().encode()
        return hmac.new(key, purpose.encode(), hashlib.sha256).hexdigest()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
