"""Every kind of event a person is told about, and which of them cannot be opted out of."""

from __future__ import annotations

import enum


class Kind(enum.StrEnum):
    EMAIL_VERIFICATION = "email_verification"
    PASSWORD_RESET = "password_reset"  # noqa: S105  (a kind of mail, not a secret)
    SWAP_REQUEST_RECEIVED = "swap_request_received"
    SWAP_REQUEST_ACCEPTED = "swap_request_accepted"  # one member said yes; others are told
    SWAP_ALL_ACCEPTED = "swap_all_accepted"  # everyone said yes: shared details open, HR asked
    SWAP_REQUEST_DECLINED = "swap_request_declined"
    SWAP_REQUEST_WITHDRAWN = "swap_request_withdrawn"
    SWAP_EXPIRING_SOON = "swap_expiring_soon"
    SWAP_EXPIRED = "swap_expired"
    SWAP_CANCELLED = "swap_cancelled"
    HR_REVIEW_REQUESTED = "hr_review_requested"
    HR_DECISION = "hr_decision"
    JOB_ALERT = "job_alert"  # in the app only: new jobs for a saved alert
    JOB_ALERT_DIGEST = "job_alert_digest"  # the e-mail, at most at the alert's frequency


# Account security mail is sent whatever the preferences say (and carries no unsubscribe link).
ESSENTIAL = frozenset({Kind.EMAIL_VERIFICATION, Kind.PASSWORD_RESET})
OPTIONAL = tuple(k for k in Kind if k not in ESSENTIAL)

SUBJECTS: dict[Kind, str] = {
    Kind.EMAIL_VERIFICATION: "Confirm your e-mail address",
    Kind.PASSWORD_RESET: "Reset your password",
    Kind.SWAP_REQUEST_RECEIVED: "Someone proposes a job swap with you",
    Kind.SWAP_REQUEST_ACCEPTED: "A member accepted your job swap",
    Kind.SWAP_ALL_ACCEPTED: "Everyone accepted: your job swap goes to HR",
    Kind.SWAP_REQUEST_DECLINED: "A job swap was declined",
    Kind.SWAP_REQUEST_WITHDRAWN: "A job swap request was withdrawn",
    Kind.SWAP_EXPIRING_SOON: "A job swap request expires soon",
    Kind.SWAP_EXPIRED: "A job swap request expired",
    Kind.SWAP_CANCELLED: "A job swap was cancelled",
    Kind.HR_REVIEW_REQUESTED: "A job swap awaits your review",
    Kind.HR_DECISION: "HR decided on your job swap",
    Kind.JOB_ALERT: "New jobs for your alert",
    Kind.JOB_ALERT_DIGEST: "New jobs for your alert",
}
