"""Dashboard, follow-ups due, approvals and the leads list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from leads.selectors import dashboard_stats


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "console/dashboard.html", {"stats": dashboard_stats()})
