"""In Chromium: every main page works under the strict Content-Security-Policy, with no violation reported."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from activity.tests.factories import AIResultFactory
from assignments.tests.factories import AssignmentFactory
from leads.tests.factories import LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "csp-browser-7781"

# securitypolicyviolation fires for each blocked script, style, frame or fetch; Chromium also logs it.
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile + ':' + e.lineNumber));
"""


def watch(page: Page) -> list[str]:
    logged: list[str] = []
    page.add_init_script(LISTEN)
    page.on("console", lambda m: logged.append(m.text) if "Content Security Policy" in m.text else None)
    return logged


def violations(page: Page, logged: list[str]) -> list[str]:
    page.wait_for_load_state("load")
    return [*page.evaluate("window.__csp || []"), *logged]


def test_it_reports_no_violation_on_the_public_pages(page: Page) -> None:
    logged = watch(page)
    response = page.goto("/form/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    expect(page.get_by_role("button", name="Send enquiry")).to_be_visible()
    assert violations(page, logged) == []

    for path in ("/form/thank-you/", "/accounts/login/"):
        page.goto(path)
        assert violations(page, logged) == [], path


def test_it_reports_no_violation_in_the_console_admin_and_api_docs(page: Page) -> None:
    User.objects.create_superuser("root", "root@example.com", PASSWORD)
    lead = LeadFactory(name="Priya \u202eSharma")  # a right-to-left override in a name
    AIResultFactory(lead=lead)
    AssignmentFactory(lead=lead)
    logged = watch(page)

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/console/")
    expect(page.locator("svg.chart-svg").first).to_be_visible()  # the dashboard's charts drew
    assert violations(page, logged) == []

    pages = {
        "/console/queue/": None,
        f"/console/leads/{lead.id}/": "h1",
        "/console/leads/": "table",
        "/admin/": "#content",
        "/admin/leads/lead/": "#result_list",
        "/api/v1/docs/": ".swagger-ui .info",  # drawn by Swagger UI's scripts, so they ran
    }
    for path, selector in pages.items():
        page.goto(path)
        if selector:
            expect(page.locator(selector).first).to_be_visible()
        assert violations(page, logged) == [], path
