"""Delivering one outbox message: over SMTP when a host is configured, else as a .eml file
under the data directory (so a new install's mails can be read without a mail server)."""

from __future__ import annotations

import logging
import os
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path

import aiosmtplib
import anyio

from jobswap.config import Settings
from jobswap.notifications.models import OutboxEmail

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The message was not delivered this time; the text says why."""


def build_message(settings: Settings, email: OutboxEmail) -> EmailMessage:
    message = EmailMessage()
    name, address = parseaddr(settings.email_from)
    message["From"] = formataddr((name, address)) if address else settings.email_from
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Message-ID"] = email.message_id
    message["Date"] = format_datetime(email.created_at)
    message["Auto-Submitted"] = "auto-generated"
    for header, value in email.headers.items():
        message[header] = value
    message.set_content(email.text_body)
    message.add_alternative(email.html_body, subtype="html")
    return message


async def deliver(settings: Settings, email: OutboxEmail) -> str:
    """Send it; the transport used ("smtp" or "file"). Raises DeliveryError."""
    message = build_message(settings, email)
    if settings.smtp_host is None:
        path = await anyio.to_thread.run_sync(_write_eml, settings.mail_dir, email, message)
        log.info(
            "e-mail written to a file (no SMTP host set)", extra={"path": str(path), "to": email.to_address}
        )
        return "file"
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    try:
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=password,
            use_tls=settings.smtp_security == "tls",
            start_tls=settings.smtp_security == "starttls",
            timeout=settings.smtp_timeout_seconds,
        )
    except aiosmtplib.SMTPResponseException as exc:
        raise DeliveryError(f"SMTP {exc.code}: {exc.message}") from exc
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__) from exc
    return "smtp"


def _write_eml(folder: Path, email: OutboxEmail, message: EmailMessage) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{email.created_at:%Y%m%dT%H%M%S}-{email.kind}-{email.id}.eml"
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(bytes(message))
    os.replace(temporary, path)  # whole or absent, and the same name if sent again
    return path
