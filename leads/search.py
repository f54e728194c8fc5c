"""Searching leads by name, company, email or phone with indexes core PostgreSQL has.

Shared by the admin and the console. What the query looks like picks the index
(see migration 0009): an `@` searches emails by their beginning, a run of
digits searches phones, anything else matches whole words by their beginning
(`rah shar` finds "Rahul Sharma"), in name, company and email (its parts
too: `studio.example` finds meera@studio.example). A substring in
the middle of a word is not found: that is what an index without pg_trgm can
serve on a million leads.
"""

from __future__ import annotations

import re

import phonenumbers
from django.conf import settings
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from leads.models import Lead

# Must match idx_leads_search_words exactly.
WORDS_VECTOR_SQL = (
    "to_tsvector('simple'::regconfig, coalesce(leads.name, '') || ' ' || coalesce(leads.company, '')"
    " || ' ' || coalesce(leads.email, '') || ' ' || translate(coalesce(leads.email, ''), '@._+-', '     '))"
)
PHONE_LIKE = re.compile(r"^\+?[\d\s().-]+$")
MIN_PHONE_DIGITS = 4
MAX_WORDS = 8


def search_leads(leads: QuerySet[Lead], text: str) -> QuerySet[Lead]:
    """The leads among `leads` that match `text`; all of them for blank text."""
    text = text.strip()
    if not text:
        return leads
    if "@" in text:
        return leads.filter(_where("lower(leads.email) LIKE %s", [_like_prefix(text.lower())]))
    digits = re.sub(r"\D", "", text)
    if PHONE_LIKE.match(text) and len(digits) >= MIN_PHONE_DIGITS:
        prefixes = _phone_prefixes(text, digits)
        ors = " OR ".join(["leads.phone LIKE %s"] * len(prefixes))
        return leads.filter(_where(f"({ors})", [_like_prefix(p) for p in prefixes]))
    words = re.findall(r"[^\W_]+", text)[:MAX_WORDS]
    if not words:
        return leads.none()
    query = " & ".join(f"{word.lower()}:*" for word in words)
    return leads.filter(_where(f"{WORDS_VECTOR_SQL} @@ to_tsquery('simple'::regconfig, %s)", [query]))


def _phone_prefixes(text: str, digits: str) -> list[str]:
    """E.164 beginnings the typed digits can be: as dialled, or local to the default region."""
    prefixes = {"+" + digits}
    try:
        parsed = phonenumbers.parse(text, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and parsed.national_number:
        prefixes.add(f"+{parsed.country_code}{parsed.national_number}")
    if not text.startswith("+"):
        code = phonenumbers.country_code_for_region(settings.PHONE_DEFAULT_REGION)
        prefixes.add(f"+{code}{digits.lstrip('0')}")
    return sorted(prefixes)


def _like_prefix(value: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", value) + "%"


def _where(sql: str, params: list[str]) -> RawSQL:
    return RawSQL(sql, params, output_field=BooleanField())
