from django.urls import path

from leads import views

app_name = "leads"

urlpatterns = [
    path("", views.lead_form, name="form"),
    path("thank-you/", views.thanks, name="thanks"),
]
