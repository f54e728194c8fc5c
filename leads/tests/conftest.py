"""Fixtures of the records' tests."""

from __future__ import annotations

import pytest
from django.db import connection

from leads.models import Lead
from leads.tests.factories import LeadFactory


@pytest.fixture
def many_leads() -> None:
    """Enough leads, analysed, that the planner picks by cost as it would in production;
    a near-empty table makes any index (or none) look as cheap as the right one."""
    Lead.objects.bulk_create(LeadFactory.build_batch(8000))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE leads")
