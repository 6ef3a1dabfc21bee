"""Scheduled work of the hazards domain; idempotent, derived from the database."""

from gridcare.clock import today
from gridcare.hazards import services


def escalate_hazards() -> str:
    """Hourly: officers hear once per escalation step about hazards past their deadline."""
    return f"escalated={services.escalate_hazards(today())}"


def worker_digest() -> str:
    """Each morning: every worker with work gets one message with today's numbers."""
    return f"digests={services.worker_digest(today())}"
