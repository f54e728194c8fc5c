"""The one keyset cursor: what one door hands out, every door reads; anything else is refused."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from django.utils import timezone

from leadsys.keyset import InvalidCursor, decode_cursor, encode_cursor


def test_it_reads_back_what_it_wrote() -> None:
    at, row_id = timezone.now(), uuid4()
    assert decode_cursor(encode_cursor(at, row_id)) == (at, row_id)


@pytest.mark.parametrize(
    "value",
    ["", "not base64!", "W10=", "WyIyMDMwLTAxLTAxVDEwOjAwOjAwIiwgIngiXQ==", f"2030-01-01T10:00:00+00:00_{uuid4()}"],
)
def test_it_refuses_what_it_did_not_write(value: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(value)


def test_it_refuses_a_time_without_its_zone() -> None:
    naive = encode_cursor(datetime(2030, 1, 1, 10, 0), uuid4())  # noqa: DTZ001 - the case under test
    with pytest.raises(InvalidCursor):
        decode_cursor(naive)
    assert decode_cursor(encode_cursor(datetime(2030, 1, 1, 10, 0, tzinfo=UTC), uuid4()))
