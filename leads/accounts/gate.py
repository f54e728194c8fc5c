"""Who must show a second factor, and what to ask of them."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.conf import settings
from django_otp import devices_for_user

from assignments.routing import is_manager


class Need(StrEnum):
    NONE = "none"
    ENROL = "enrol"  # required, and no device yet
    VERIFY = "verify"  # has a device: every login needs its code


def second_factor_need(user: Any) -> Need:
    """Anyone with a confirmed device verifies; managers and superusers must have one when required."""
    if any(True for _device in devices_for_user(user, confirmed=True)):
        return Need.VERIFY
    if settings.REQUIRE_2FA_FOR_MANAGERS and is_manager(user):
        return Need.ENROL
    return Need.NONE
