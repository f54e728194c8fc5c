"""The README's examples say what the code does: the submission example runs, its product is in the
catalogue, a free-text interest is kept and marked, and get_lead_full()'s keys are the ones named."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client

from assignments.tests.staff import make_rep
from leads.models import Lead, LeadProduct, Product
from leads.selectors import lead_full

pytestmark = pytest.mark.django_db
README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def submission_example() -> dict:
    block = re.search(r"curl -i http://127\.0\.0\.1:8000/api/v1/submissions/.*?-d '(\{.*?\})'\n```", README, re.S)
    assert block, "the README's submission example moved"
    return json.loads(block.group(1))


def test_the_submission_example_runs_and_names_a_catalogue_product() -> None:
    body = submission_example()
    response = Client().post("/api/v1/submissions/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    lead = Lead.objects.get(id=response.json()["lead_id"])
    (interest,) = body["product_interests"]
    assert Product.objects.filter(category__name=interest["category"], name=interest["product"]).exists()
    assert LeadProduct.objects.filter(lead=lead, product=interest["product"]).exists()


def test_a_free_text_interest_is_kept_and_marked_not_in_catalogue(client: Client) -> None:
    body = {**submission_example(), "email": "roofing@example.com"}
    body["product_interests"] = [
        {"category": "Roofing", "product": "Clay tiles"},
        body["product_interests"][0],
    ]
    response = Client().post("/api/v1/submissions/", body, content_type="application/json")
    assert response.status_code == 201  # as the README says: kept, not refused
    assert "400" in README and "unknown products" not in README
    lead_id = response.json()["lead_id"]
    client.force_login(make_rep())
    html = client.get(f"/console/leads/{lead_id}/").content.decode()
    clay = html[html.index("Clay tiles") :][:300]
    oak = html[html.index(body["product_interests"][1]["product"]) :][:200]
    assert "Not in catalogue" in clay and "Not in catalogue" not in oak.split("</td>")[0]


def test_the_get_lead_full_keys_the_readme_names_are_the_functions() -> None:
    row = next(line for line in README.splitlines() if line.startswith("| `get_lead_full(uuid)`"))
    named = set(re.findall(r"`([a-z_]+)`", row.split("|")[3]))
    response = Client().post("/api/v1/submissions/", submission_example(), content_type="application/json")
    document = lead_full(lead_id=response.json()["lead_id"])
    assert named == set(document) - {"lead"}
