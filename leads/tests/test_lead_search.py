"""search_leads(): words by their beginning, emails by their beginning, phones by digits."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

from leads.models import Lead
from leads.search import search_leads
from leads.tests.factories import LeadFactory
from leadsys.roles import staff_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def meera() -> Lead:
    LeadFactory(name="Someone Else", email="someone@other.example", phone="+14155550100", company="Other Co")
    return LeadFactory(name="Meera Iyer", email="meera.i@studio.example", phone="+919812345678", company="Iyer Studio")


def found(text: str) -> set[str]:
    return {str(pk) for pk in search_leads(Lead.objects.all(), text).values_list("id", flat=True)}


@pytest.mark.parametrize(
    "text",
    [
        "Meera",
        "mee",  # the beginning of a word
        "iyer stu",  # every word must match, in any field
        "STUDIO",
        "studio.example",  # the email's domain
        "meera.i@stu",  # an email by its beginning
        "MEERA.I@STUDIO.EXAMPLE",
        "98123",  # digits as dialled locally
        "+91 98123 45678",
        "098123 45678",  # with the trunk zero
        "919812",
    ],
)
def test_it_finds_the_lead(meera: Lead, text: str) -> None:
    assert found(text) == {str(meera.id)}


@pytest.mark.parametrize("text", ["eera", "tudio", "meera@other", "4155", "zzz", "Meera Zed", "&|!():*", "___"])
def test_it_does_not_find_what_does_not_match(meera: Lead, text: str) -> None:
    assert str(meera.id) not in found(text)


def test_it_treats_like_wildcards_in_an_email_as_text(meera: Lead) -> None:
    assert found("%@studio") == set()
    assert found("meera_i@") == set()


def test_it_returns_everything_for_blank_text(meera: Lead) -> None:
    assert len(found("   ")) == 2


LOOKUP_SQL = importlib.import_module("leads.migrations.0019_lookups_under_rls")
LOOKUPS = {
    "meera iyer": ("lead_ids_by_words", LOOKUP_SQL.WORDS_SQL, "idx_leads_search_words"),
    "meera@stu": ("lead_ids_by_email_prefix", LOOKUP_SQL.EMAIL_PREFIX_SQL, "idx_leads_email_prefix"),
    "98123": ("lead_ids_by_phone_prefix", LOOKUP_SQL.PHONE_PREFIX_SQL, "idx_leads_phone_prefix"),
}


def plan(sql: str, params: list) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_owner_matches_with_the_indexes(many_leads: None) -> None:
    for text, (_function, _sql, index) in LOOKUPS.items():
        sql, params = search_leads(Lead.objects.all(), text, as_owner=True).values("id").query.sql_with_params()
        assert index in plan(sql, params), text


def test_the_lookups_for_staff_use_the_indexes(many_leads: None) -> None:
    for text, (function, lookup_sql, index) in LOOKUPS.items():
        sql, params = search_leads(Lead.objects.all(), text).values("id").query.sql_with_params()
        assert f"{function}(" in sql, sql
        with connection.cursor() as cursor:
            cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [function])
            body = cursor.fetchone()[0]
        # The function runs this query with the search's value, and that query uses the index.
        assert lookup_sql.replace("$1", "p_query") in body or lookup_sql in body, body
        assert index in plan(lookup_sql.replace("$1", "%s"), params[:1]), text


def test_it_finds_by_index_as_staff_under_row_level_security(many_leads: None) -> None:
    """As `authenticated`, a LIKE or text match on leads could not use its index; the lookups can."""
    for text in LOOKUPS:
        sql, params = search_leads(Lead.objects.all(), text).values("id").query.sql_with_params()
        with staff_role(user_id=1, is_manager=False):
            staff_plan = plan(sql, params)
        # The leads are read by id (the lookup's answer), never scanned with the match as a filter.
        assert "Seq Scan on leads" not in staff_plan, (text, staff_plan)
        assert "leads_pkey" in staff_plan, (text, staff_plan)


def test_staff_and_the_owner_find_the_same_leads(meera: Lead) -> None:
    for text in ("meera iyer", "meera.i@stu", "98123", "studio.example", "+91 98123", "zzz"):
        as_staff = set(search_leads(Lead.objects.all(), text).values_list("id", flat=True))
        as_owner = set(search_leads(Lead.objects.all(), text, as_owner=True).values_list("id", flat=True))
        assert as_staff == as_owner, text
    assert found("meera.i@stu") == found("98123") == {str(meera.id)}
