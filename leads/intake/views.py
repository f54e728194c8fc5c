"""The public enquiry form and its thank-you page (no login)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from leads.intake.forms import (
    LeadForm,
    ProductInterestFormSet,
    hold_reason,
    kept_started_token,
    message_max_bytes,
    started_token,
)
from leads.intake.services import held_submission_create, lead_submit, rejected_submission_create
from leadsys.ratelimit import client_ip, intake_allowed
from leadsys.request_size import over_limit, too_large_response


@require_http_methods(["GET", "POST"])
def lead_form(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = LeadForm(initial={"started": started_token()})
        products = ProductInterestFormSet(prefix="products")
        return render(request, "leads/form.html", _context(form, products))

    # The API's rule: a body over the limit is refused whole, before it is read or counted against the IP.
    if over_limit(request):
        return too_large_response(request)
    if not intake_allowed(request):
        return render(request, "leads/rate_limited.html", status=429)
    form = LeadForm(request.POST)
    products = ProductInterestFormSet(request.POST, prefix="products")
    # Invalid input always gets its errors back, whatever the bot checks think: a
    # person must never see "Thank you!" for an enquiry we did not keep.
    if not (form.is_valid() and products.is_valid()):
        form.data = form.data.copy()
        form.data["started"] = kept_started_token(request.POST.get("started"))
        return render(request, "leads/form.html", _context(form, products), status=400)
    submission = form.submission(products=products.interests(), ip_address=client_ip(request))
    # The bot checks never drop a valid submission silently, and a bot learns nothing
    # from the answer: the same thank-you page either way.
    if trap_value := form.cleaned_data["website"]:
        rejected_submission_create(
            name=submission.name, email=submission.email, trap_value=trap_value, ip_address=submission.ip_address
        )
        return redirect("leads:thanks")
    if reason := hold_reason(request.POST.get("started")):
        held_submission_create(submission=submission, reason=reason)
        return redirect("leads:thanks")
    lead_submit(submission=submission)
    request.session["enquiry_name"] = form.cleaned_data["name"].split()[0]
    # What was stored, counted by the server: the thank-you page says so, with or without JavaScript.
    request.session["enquiry_message_length"] = len(submission.message or "")
    return redirect("leads:thanks")


@require_http_methods(["GET"])
def thanks(request: HttpRequest) -> HttpResponse:
    context = {
        "first_name": request.session.pop("enquiry_name", None),
        "message_length": request.session.pop("enquiry_message_length", None),
    }
    return render(request, "leads/thanks.html", context)


@require_http_methods(["GET"])
def privacy_notice(request: HttpRequest) -> HttpResponse:
    """The privacy notice: templates/leads/privacy_notice.html, which the company edits.

    Its version is PRIVACY_NOTICE_VERSION, the one each consent event records: change
    the text, raise the version, and every later consent names the new text.
    """
    return render(request, "leads/privacy_notice.html", {"privacy_notice_version": settings.PRIVACY_NOTICE_VERSION})


def _context(form: LeadForm, products: object) -> dict[str, object]:
    return {
        "form": form,
        "products": products,
        "privacy_notice_version": settings.PRIVACY_NOTICE_VERSION,
        "message_max_bytes": message_max_bytes(),
        "max_request_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
    }
