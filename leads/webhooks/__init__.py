"""Outgoing webhooks: the outbox. Emit events, deliver them signed, retry, pause a failing endpoint."""
