"""One quantity reader for triage and the high-value rule: the same text, the same figure."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from assignments.routing import is_high_value
from leads.quantities import SQ_FT_PER_M2, parse_quantity, read_quantities


def indian(n: int) -> str:
    head, tail = str(n)[:-3], str(n)[-3:]
    groups = []
    while len(head) > 2:
        head, groups = head[:-2], [head[-2:], *groups]
    return ",".join([g for g in [head, *groups] if g] + [tail]) if n >= 1000 else str(n)


def spaced(n: int) -> str:
    return f"{n:,}".replace(",", " ")


@pytest.mark.parametrize(
    ("text", "figure", "area"),
    [
        ("2 500 m2", 2500, 2500 * SQ_FT_PER_M2),
        ("1,20,000 sq ft", 120000, 120000),
        ("2.5k sqft", 2500, 2500),
        ("about 1200 sft", 1200, 1200),
        ("1.5k tiles", 1500, 0),
        ("500 kg", 500, 0),
    ],
)
def test_it_reads_the_issue_examples_the_same_for_triage_and_the_rule(text: str, figure: float, area: float) -> None:
    assert parse_quantity(text) == figure
    assert read_quantities([text], []).area_sq_ft == pytest.approx(area, abs=0.1)


@given(n=st.integers(min_value=1, max_value=50_000_000), unit=st.sampled_from([" sq ft", " sqft", " sft", "sq ft"]))
def test_it_reads_any_grouping_of_an_area_as_one_figure(n: int, unit: str) -> None:
    for written in {str(n), f"{n:,}", indian(n), spaced(n)}:
        text = f"about {written}{unit}"
        assert parse_quantity(text) == n, text
        assert read_quantities([text], []).area_sq_ft == n, text


@given(tenths=st.integers(min_value=1, max_value=9_999))
def test_it_reads_thousands_written_with_k(tenths: int) -> None:
    text = f"{tenths / 10:g}k sqft"
    assert parse_quantity(text) == pytest.approx(tenths * 100)
    assert read_quantities([text], []).area_sq_ft == pytest.approx(tenths * 100, abs=0.1)


@override_settings(HIGH_VALUE_MIN_QUANTITY=1000, HIGH_VALUE_LEAD_TYPES=["architect"])
@pytest.mark.parametrize(("quantity", "high_value"), [("2 500 m2", True), ("2.5k sqft", True), ("900 sq ft", False)])
def test_it_makes_the_high_value_rule_agree_with_triage(quantity: str, high_value: bool) -> None:
    assert is_high_value(priority="high", lead_type="home_owner", quantities=[quantity]) is high_value
    assert (read_quantities([quantity], []).area_sq_ft >= 1000) is high_value


def test_it_reads_a_year_before_a_quantity_as_two_numbers() -> None:
    # A number starts where its digits start: "2024 500" is not read as "024 500" (24,500).
    assert read_quantities(["Tender 2024 500 sq ft"], []).area_sq_ft == 500
    assert read_quantities(["Phase 2024 40,000 units"], []).units == 40_000


@pytest.mark.parametrize("unit", ["1", "x1", "11 ", "12,", "1 a ", "1.", "1x"])
def test_it_reads_a_tender_length_text_of_anything_in_linear_time(unit: str) -> None:
    # A message may be 250,000 characters; digits run together once cost seconds per thousand.
    text = (unit * 250_000)[:250_000]
    started = time.perf_counter()

    read_quantities([text], [text[:100]])
    parse_quantity(text)

    assert time.perf_counter() - started < 5  # about 0.5 s; the old patterns took hours
