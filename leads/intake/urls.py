from django.urls import path

from leads.intake import api, views

app_name = "leads"

urlpatterns = [
    path("", views.lead_form, name="form"),
    path("thank-you/", views.thanks, name="thanks"),
    path("privacy/", views.privacy_notice, name="privacy"),
]

# Mounted by leadsys/urls.py under /api/v1/, in the API's namespace, before the API's own routes.
api_urlpatterns = [
    path("submissions/", api.submission_create, name="submissions"),
]
