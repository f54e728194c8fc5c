"""The roof: every way in is wired here, and only here."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from leads.api import urls as api_urls
from leads.intake import urls as intake_urls
from leadsys.health import health

# One /api/v1/ namespace for both doors: the public submission endpoint and the token API
# (whose catch-all JSON 404 comes last).
api_v1 = ([*intake_urls.api_urlpatterns, *api_urls.urlpatterns], "api")

# An outage met outside a view still answers 503, not 500 (leadsys.middleware).
handler500 = "leadsys.middleware.server_error"
# A body Django finds over MAX_REQUEST_BYTES is a 413 with words, not a bare 400.
handler400 = "leadsys.request_size.bad_request"


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    # Browsers ask for /favicon.ico before reading any <link rel="icon">; resolved per request
    # so the hashed static name is looked up once the manifest exists.
    return HttpResponseRedirect(static("favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("accounts/", include("leads.accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("console/held/", include("leads.intake.held.urls")),
    path("console/", include("leads.console.urls")),
    path("form/", include("leads.intake.urls")),
    path("api/v1/", include(api_v1)),
    path("", RedirectView.as_view(pattern_name="leads:form", permanent=False)),
]
