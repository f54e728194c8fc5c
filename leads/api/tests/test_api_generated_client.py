"""A website developer's journey with a client generated from the live schema by openapi-python-client.

The schema is fetched from the running server, the client is generated into a
temporary folder (offline: the generator only reads the document), imported,
and used over real HTTP as its own README says: typed models in, typed models
out, and any status the schema does not list raises (raise_on_unexpected_status).
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from activity.tests.factories import FollowUpFactory
from assignments.tests.staff import make_rep
from leads.models import Lead
from leads.tests.factories import LeadFactory

PACKAGE = "leadsys_client"


@pytest.fixture
def generated(live_server: Any, tmp_path: Path) -> ModuleType:
    with urllib.request.urlopen(f"{live_server.url}/api/v1/schema/?format=json", timeout=30) as response:
        (tmp_path / "schema.json").write_bytes(response.read())
    # No post hooks: the generator would otherwise run ruff over its output.
    (tmp_path / "config.yaml").write_text("post_hooks: []\n")
    generator = Path(sys.executable).with_name("openapi-python-client")
    command = [str(generator), "generate", "--path", "schema.json", "--meta", "none", "--config", "config.yaml"]
    done = subprocess.run(
        [*command, "--output-path", PACKAGE], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr  # every operation was understood
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def part(package: ModuleType, name: str) -> Any:
    return importlib.import_module(f"{package.__name__}.{name}")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_serves_a_website_developer_through_a_generated_client(live_server: Any, generated: ModuleType) -> None:
    models = part(generated, "models")
    submit = part(generated, "api.submissions.submissions_create")
    leads_list = part(generated, "api.leads.leads_list")
    lead_read = part(generated, "api.leads.leads_retrieve")
    lead_patch = part(generated, "api.leads.leads_partial_update")
    activity_add = part(generated, "api.leads.leads_activities_create")
    follow_ups = part(generated, "api.follow_ups.follow_ups_list")
    dashboard = part(generated, "api.dashboard.dashboard_retrieve")
    base_url = live_server.url
    public = generated.Client(base_url=base_url, raise_on_unexpected_status=True)
    staff = generated.AuthenticatedClient(
        base_url=base_url,
        token=Token.objects.create(user=make_rep()).key,
        prefix="Token",
        raise_on_unexpected_status=True,
    )
    older = [LeadFactory() for _ in range(2)]

    # Submit, replay, and reuse the key with another body.
    body = models.SubmissionInRequest(
        name="Priya Sharma",
        email="priya@example.com",
        phone="+91 98765 43210",
        message="Oak flooring for a 3BHK.",
        consent=models.ConsentInRequest(privacy_accepted=True),
    )
    key = str(uuid.uuid4())
    first = submit.sync_detailed(client=public, body=body, idempotency_key=key)
    again = submit.sync_detailed(client=public, body=body, idempotency_key=key)
    body.message = "Something else."
    reused = submit.sync_detailed(client=public, body=body, idempotency_key=key)

    assert first.status_code == 201 and isinstance(first.parsed, models.SubmissionOut)
    assert (again.status_code, again.parsed.lead_id, again.headers["Idempotent-Replayed"]) == (
        201,
        first.parsed.lead_id,
        "true",
    )
    assert reused.status_code == 422
    assert reused.parsed.error.code == "idempotency_key_reused"
    assert Lead.objects.count() == 3

    # Two pages of two and one; the `next` URL is the same page as the cursor.
    page_one = leads_list.sync(client=staff, limit=2)
    page_two = leads_list.sync(client=staff, limit=2, cursor=page_one.next_cursor)
    with urllib.request.urlopen(
        urllib.request.Request(page_one.next_, headers={"Authorization": f"Token {staff.token}"}), timeout=30
    ) as response:
        by_url = json.loads(response.read())

    assert [row.id for row in page_one.results][0] == first.parsed.lead_id
    assert [row.id for row in page_one.results + page_two.results] == [
        first.parsed.lead_id,
        *[lead.id for lead in reversed(older)],
    ]
    assert page_one.previous is None and page_two.next_cursor is None and page_two.next_ is None
    assert page_two.previous == f"{base_url}/api/v1/leads/?limit=2"
    assert [row["id"] for row in by_url["results"]] == [str(row.id) for row in page_two.results]

    # Read one, change its status, add a note.
    document = lead_read.sync(client=staff, lead_id=first.parsed.lead_id)
    changed = lead_patch.sync(
        client=staff,
        lead_id=first.parsed.lead_id,
        body=models.PatchedLeadPatchInRequest(status=models.LeadStatusEnum.CONTACTED, reason="Called back"),
    )
    note = activity_add.sync(
        client=staff,
        lead_id=first.parsed.lead_id,
        body=models.NoteInRequest(type_=models.NoteInTypeEnum.NOTE, message="Wants samples"),
    )

    assert isinstance(document, models.LeadDocumentOut)
    assert (document.lead.email, document.lead.status) == ("priya@example.com", models.LeadStatusEnum.NEW)
    assert changed.lead.status == models.LeadStatusEnum.CONTACTED
    assert (note.type_.value, note.message) == ("note", "Wants samples")

    # Due follow-ups, and the dashboard.
    due = FollowUpFactory(lead=older[0], scheduled_for=timezone.now() - timedelta(hours=1))
    listed = follow_ups.sync(client=staff)
    figures = dashboard.sync(client=staff)

    assert [item.activity_id for item in listed] == [due.id]
    assert isinstance(figures, models.DashboardOut)
    assert (figures.total_leads, figures.pending_follow_ups) == (3, 1)
