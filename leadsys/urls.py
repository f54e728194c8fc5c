from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from leadsys.health import health

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("console/", include("leads.console.urls")),
    path("form/", include("leads.urls")),
    path("api/v1/", include("leads.api_urls")),
    path("", RedirectView.as_view(pattern_name="leads:form", permanent=False)),
]
