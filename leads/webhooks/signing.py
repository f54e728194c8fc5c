"""Standard Webhooks signatures (https://www.standardwebhooks.com), exactly.

A secret is `whsec_<base64 of the key bytes>`; a signature is `v1,<base64 of
HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}")>`. During a secret
rotation the header carries one signature per valid secret, space-separated,
so a receiver holding either secret accepts the delivery. Receivers verify with
the `standardwebhooks` library (or plain openssl, docs/api.md); we never ship
our own verifier, so nothing here can drift from what they run.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

PREFIX = "whsec_"
SCHEME = "v1"
KEY_BYTES = 32  # the spec asks for 24 to 64 random bytes
MIN_KEY_BYTES = 24
MAX_KEY_BYTES = 64


class InvalidSecret(ValueError):
    """Not `whsec_` followed by the base64 of 24 to 64 bytes."""


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key a secret stands for (what the standardwebhooks library decodes it to).

    Any length signs: a secret carried over from the old scheme keeps its key
    (leads/migrations/0011). New secrets are held to the spec by secret_validate().
    """
    if not secret.startswith(PREFIX):
        raise InvalidSecret(f"A webhook secret starts with {PREFIX!r}.")
    try:
        key = base64.b64decode(secret.removeprefix(PREFIX), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidSecret(f"A webhook secret is base64 after {PREFIX!r}.") from exc
    if not key:
        raise InvalidSecret("A webhook secret may not be empty.")
    return key


def secret_validate(secret: str) -> str:
    """A secret a person enters: the spec's 24 to 64 bytes."""
    if not MIN_KEY_BYTES <= len(secret_key(secret)) <= MAX_KEY_BYTES:
        raise InvalidSecret(f"A webhook secret holds {MIN_KEY_BYTES} to {MAX_KEY_BYTES} bytes.")
    return secret


def secret_for_key(key: bytes) -> str:
    return PREFIX + base64.b64encode(key).decode()


def sign(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret_key(secret), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SCHEME},{base64.b64encode(mac.digest()).decode()}"


def signature_header(*, secrets_: list[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value: one signature per secret still valid, the current one first."""
    return " ".join(sign(secret=s, msg_id=msg_id, timestamp=timestamp, body=body) for s in secrets_)
