from django.urls import path

from leads import api

app_name = "api"

urlpatterns = [
    path("submissions/", api.submission_create, name="submissions"),
]
