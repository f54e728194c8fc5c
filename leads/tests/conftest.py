"""Browser fixtures for the leads tests (shared ones live in leadsys.testing)."""

from leadsys.testing.browser import browser, new_page, page, playwright_session  # noqa: F401
