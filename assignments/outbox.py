"""The webhook outbox as workflow code reaches it: always as the table owner.

webhook_emit() reads endpoints (with their signing secrets) and writes deliveries and jobs, none of
which a staff member's role may touch (activity/migrations/0008). A person's action inside a staff
transaction still emits its webhook, in the same transaction, by stepping out of the role for this
one fixed step.
"""

from __future__ import annotations

from typing import Any

from leads.webhooks.models import WebhookDelivery
from leads.webhooks.services import webhook_emit as _webhook_emit
from leadsys.roles import as_owner


def webhook_emit(event: str, payload: dict[str, Any]) -> list[WebhookDelivery]:
    with as_owner():
        return _webhook_emit(event, payload)
