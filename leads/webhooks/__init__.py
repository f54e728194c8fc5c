"""Outgoing webhooks: emit events, deliver them signed, retry, pause a failing endpoint."""

from leads.webhooks.services import webhook_emit
from leads.webhooks.signing import signature, signature_valid

__all__ = ["signature", "signature_valid", "webhook_emit"]
