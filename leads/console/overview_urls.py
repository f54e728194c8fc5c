from django.urls import path

from leads.console import overview_views as views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
