"""The public enquiry form and its thank-you page (no login)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from leads.intake.forms import LeadForm, ProductInterestFormSet, filled_too_fast, started_token
from leads.intake.services import lead_submit
from leadsys.ratelimit import client_ip, intake_allowed


@require_http_methods(["GET", "POST"])
def lead_form(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = LeadForm(initial={"started": started_token()})
        products = ProductInterestFormSet(prefix="products")
        return render(request, "leads/form.html", _context(form, products))

    if not intake_allowed(request):
        return render(request, "leads/rate_limited.html", status=429)
    # Bots get the thank-you page and nothing is stored.
    if request.POST.get("website") or filled_too_fast(request.POST.get("started")):
        return redirect("leads:thanks")
    form = LeadForm(request.POST)
    products = ProductInterestFormSet(request.POST, prefix="products")
    if not (form.is_valid() and products.is_valid()):
        form.data = form.data.copy()
        form.data["started"] = started_token()
        return render(request, "leads/form.html", _context(form, products), status=400)
    lead_submit(submission=form.submission(products=products.interests(), ip_address=client_ip(request)))
    request.session["enquiry_name"] = form.cleaned_data["name"].split()[0]
    return redirect("leads:thanks")


@require_http_methods(["GET"])
def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "leads/thanks.html", {"first_name": request.session.pop("enquiry_name", None)})


def _context(form: LeadForm, products: object) -> dict[str, object]:
    return {"form": form, "products": products, "privacy_notice_version": settings.PRIVACY_NOTICE_VERSION}
