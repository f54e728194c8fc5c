"""Mounted by leadsys/urls.py under /console/held/ in the `held` namespace."""

from django.urls import path

from leads.intake.held import views

app_name = "held"

urlpatterns = [
    path("", views.held_list, name="list"),
    path("<uuid:held_id>/release/", views.held_release, name="release"),
    path("<uuid:held_id>/discard/", views.held_discard, name="discard"),
]
