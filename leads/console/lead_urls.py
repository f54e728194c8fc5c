from django.urls import path

from leads.console import lead_views as views

urlpatterns = [
    path("queue/", views.my_queue, name="queue"),
]
