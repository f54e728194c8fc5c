from django.contrib import admin
from django.urls import include, path

from leadsys.health import health

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
]
