from django.urls import include, path

app_name = "console"

# Two route modules so the lead-work pages and the overview pages grow apart.
urlpatterns = [
    path("", include("leads.console.overview.urls")),
    path("", include("leads.console.lead.urls")),
]
