"""My queue and the lead page with its actions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def my_queue(request: HttpRequest) -> HttpResponse:
    return render(request, "console/queue.html", {"assignments": []})
