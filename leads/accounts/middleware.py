"""Hold a signed-in user who still owes a second factor at the enrol or verify page."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from leads.accounts.gate import Need, second_factor_need

# The staff doors. The public form, login, logout and the second-factor pages stay open.
GUARDED_PREFIXES = ("/console/", "/admin/", "/api/")
OPEN_PATHS = ("/admin/logout/",)
SESSION_KEY = "second_factor_need"


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        need = self._need(request)
        if need is not Need.NONE and request.path.startswith(GUARDED_PREFIXES) and request.path not in OPEN_PATHS:
            # An API token is its own credential; only a session must show the second factor.
            if not (request.path.startswith("/api/") and request.META.get("HTTP_AUTHORIZATION")):
                return self._hold(request, need)
        return self.get_response(request)

    def _need(self, request: HttpRequest) -> Need:
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return Need.NONE
        # Worked out once per session (a device query and a group lookup), not per request.
        cached = request.session.get(SESSION_KEY)
        if isinstance(cached, list) and len(cached) == 2 and cached[0] == user.pk:
            return Need(cached[1])
        need = second_factor_need(user)
        request.session[SESSION_KEY] = [user.pk, need.value]
        return need

    def _hold(self, request: HttpRequest, need: Need) -> HttpResponse:
        if request.path.startswith("/api/"):
            message = _("Sign in with your second factor first.")
            return JsonResponse({"error": {"code": "second_factor_required", "message": message}}, status=403)
        target = reverse("accounts:enrol" if need is Need.ENROL else "accounts:verify")
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
