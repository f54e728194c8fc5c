"""The second-factor pages: enrol (QR code, then backup codes shown once), verify, new backup codes."""

from __future__ import annotations

import base64
import logging

import django_otp
import segno
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from leads.accounts.forms import CodeForm
from leads.accounts.gate import Need, second_factor_need
from leads.accounts.middleware import SESSION_KEY
from leads.accounts.services import backup_codes_issue, totp_device_begin, totp_device_confirm

log = logging.getLogger("leads.accounts")


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("console:dashboard")


def _has_totp(user: object) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _signed_in_with(request: HttpRequest, device: object) -> None:
    django_otp.login(request, device)
    request.session.pop(SESSION_KEY, None)


@login_required
def second_factor_home(request: HttpRequest) -> HttpResponse:
    """Where staff see whether their second factor is on, and start it if not."""
    return render(request, "accounts/second_factor.html", {"has_totp": _has_totp(request.user)})


@login_required
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    if _has_totp(request.user):
        # A second device only from a session that proved the first.
        return redirect("accounts:second_factor" if request.user.is_verified() else "accounts:verify")
    device = totp_device_begin(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp_device_confirm(device=device, token=form.cleaned_data["code"]):
            device.refresh_from_db()
            _signed_in_with(request, device)
            log.info("second factor enrolled: user=%s", request.user.pk)
            codes = backup_codes_issue(user=request.user)
            # Rendered, not redirected: the codes are in this response and nowhere else.
            return render(request, "accounts/backup_codes.html", {"codes": codes, "next": _next_url(request)})
        form.add_error("code", _("That code did not match. Enter the 6 digits your app shows now."))
    # An image, not markup in the page: the SVG is never trusted as HTML (img-src allows data:).
    qr_src = segno.make(device.config_url, error="m").svg_data_uri(scale=5, light="white")
    secret = base64.b32encode(device.bin_key).decode()
    context = {"form": form, "qr_src": qr_src, "secret": secret, "next": _next_url(request)}
    return render(request, "accounts/enrol.html", context, status=400 if form.errors else 200)


@login_required
def second_factor_verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():
        return HttpResponseRedirect(_next_url(request))
    if second_factor_need(request.user) is Need.ENROL:
        return redirect(f"{reverse('accounts:enrol')}?next={_next_url(request)}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = django_otp.match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            _signed_in_with(request, device)
            return HttpResponseRedirect(_next_url(request))
        log.warning("second factor refused: user=%s", request.user.pk)
        form.add_error("code", _("That code did not match, or was already used. Try the next code."))
    return render(
        request, "accounts/verify.html", {"form": form, "next": _next_url(request)}, status=400 if form.errors else 200
    )


@require_POST
@login_required
def backup_codes_renew(request: HttpRequest) -> HttpResponse:
    if not request.user.is_verified():
        return redirect("accounts:verify")
    codes = backup_codes_issue(user=request.user)
    return render(request, "accounts/backup_codes.html", {"codes": codes, "next": reverse("accounts:second_factor")})
