"""Shared set-up for the intake tests: a catalogue of our own, form and API payloads."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import signing
from django.db import connection

from leads.intake.forms import STARTED_SALT
from leads.models import Product, ProductCategory

API_URL = "/api/v1/submissions/"
FORM_URL = "/form/"


@dataclass(frozen=True)
class Catalogue:
    tiles: Product
    panels: Product
    retired: Product  # inactive: never offered


@pytest.fixture(name="catalogue")
def catalogue_fixture(db: None) -> Catalogue:
    # Names of our own, so the test does not lean on the migration's catalogue
    # (a transactional test elsewhere may have flushed it).
    floors = ProductCategory.objects.create(name="Test Floors", position=0)
    walls = ProductCategory.objects.create(name="Test Walls", position=1)
    return Catalogue(
        tiles=Product.objects.create(category=floors, name="Oak Test Tiles", position=0),
        panels=Product.objects.create(category=walls, name="Slate Test Panels", position=0),
        retired=Product.objects.create(category=walls, name="Retired Test Panels", position=1, is_active=False),
    )


def aged_started_token(seconds_ago: int = 60) -> str:
    """A form stamp signed as if the form was shown `seconds_ago` seconds ago."""

    class PastSigner(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time()) - seconds_ago)

    return PastSigner(salt=STARTED_SALT).sign("form")


def form_payload(products: list[tuple[Product, str, str]] | None = None, **fields: Any) -> dict[str, Any]:
    """What a browser posts for the form: lead fields, consent, and a product formset."""
    data: dict[str, Any] = {
        "name": "Asha Verma",
        "email": "asha.verma@example.com",
        "phone": "098765 43210",
        "company": "Verma Interiors",
        "role": "Interior Designer",
        "location": "Pune",
        "message": "Need flooring for a 3BHK flat.",
        "privacy_accepted": "on",
        "website": "",
        "started": aged_started_token(),
        "products-TOTAL_FORMS": "3",
        "products-INITIAL_FORMS": "0",
        "products-MIN_NUM_FORMS": "0",
        "products-MAX_NUM_FORMS": "5",
    }
    for index, (product, quantity, notes) in enumerate(products or []):
        data[f"products-{index}-product"] = str(product.pk)
        data[f"products-{index}-quantity"] = quantity
        data[f"products-{index}-notes"] = notes
    data.update(fields)
    return data


def api_payload(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Rohan Mehta",
        "email": "rohan.mehta@example.com",
        "phone": "+91 98200 12345",
        "company": "Mehta Builders",
        "role": "Builder",
        "location": "Mumbai",
        "message": "Quote for 40 flats.",
        "product_interests": [
            {"category": "Flooring", "product": "SPC Flooring", "quantity": "12000 sq ft", "notes": "Grey"},
            {"category": "Lighting", "product": "Cove Lighting"},
        ],
        "consent": {"privacy_accepted": True, "marketing_opt_in": False},
    }
    data.update(fields)
    return data


def table_counts() -> dict[str, int]:
    """Rows in every table intake may write, counted as the owner."""
    tables = ("leads", "lead_products", "lead_activity", "procrastinate_jobs", "idempotency_keys")
    with connection.cursor() as cursor:
        return {table: _count(cursor, table) for table in tables}


def _count(cursor: Any, table: str) -> int:
    cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names above
    return cursor.fetchone()[0]


def jobs_for(lead_id: object) -> list[tuple[str, str, str]]:
    """(task name, queue, status) of the jobs queued for a lead."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT task_name, queue_name, status FROM procrastinate_jobs WHERE args->>'lead_id' = %s ORDER BY task_name",
            [str(lead_id)],
        )
        return list(cursor.fetchall())
