"""The public enquiry form: a lead, its product interests, consent, and bot traps."""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from leads.intake.services import ProductInterest, Submission, consent_now
from leads.models import MESSAGE_MAX_LENGTH, NOTES_MAX_LENGTH, HoldReason, LeadRole, Product
from leads.validation import check_name, clean_text, normalize_email, normalize_phone

STARTED_SALT = "leads.form.started"
# What the other fields of a form post take of the request limit, their multipart headers
# included: a full form in Latin text needs about half. The message counter warns past what is
# left; the 413 over MAX_REQUEST_BYTES is the rule itself.
OTHER_FIELDS_BYTES = 8 * 1024


def message_max_bytes() -> int:
    """About how many bytes (UTF-8) of message a form post can carry."""
    return max(settings.DATA_UPLOAD_MAX_MEMORY_SIZE - OTHER_FIELDS_BYTES, 0)


def started_token() -> str:
    """A signed 'form first shown at' stamp: the minimum fill time cannot be faked."""
    return signing.TimestampSigner(salt=STARTED_SALT).sign("form")


def _stamp_age(token: str | None) -> float | None:
    """Seconds since the stamp was made; None when it is missing or forged."""
    signer = signing.TimestampSigner(salt=STARTED_SALT)
    try:
        if signer.unsign(token or "") != "form":  # the signature, at any age
            return None
    except signing.BadSignature:
        return None
    made = signing.b62_decode(str(token).rsplit(signer.sep, 2)[1])
    return time.time() - made


def kept_started_token(token: str | None) -> str:
    """The stamp to render again after a validation error: the first one, if it is ours.

    The fill time counts from the first time the form was shown, so a person who
    fixes a typo and sends again at once is not taken for a bot.
    """
    return token if token and _stamp_age(token) is not None else started_token()


def hold_reason(token: str | None) -> str | None:
    """Why a valid submission should be held rather than stored: too fast, or no stamp of ours."""
    age = _stamp_age(token)
    if age is None:
        return HoldReason.UNSIGNED
    # Whole seconds in the stamp: a form shown at 12.9 s and sent at 15.0 s counts as 3 s.
    return HoldReason.TOO_FAST if age < settings.FORM_MIN_FILL_SECONDS else None


class AccessibleErrorsMixin:
    """Point each invalid field at its error text for screen readers."""

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}-error"  # type: ignore[attr-defined,index]


class LeadForm(AccessibleErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Full name"), min_length=2, max_length=255)
    email = forms.CharField(label=_("Email"), max_length=255, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    company = forms.CharField(label=_("Company"), max_length=255, required=False)
    role = forms.ChoiceField(label=_("I am a"), choices=[("", _("Choose one"))] + LeadRole.choices, required=False)
    location = forms.CharField(label=_("City"), max_length=255, required=False)
    # Any length the request limit lets through; MESSAGE_MAX_LENGTH is only the column's backstop.
    message = forms.CharField(
        label=_("How can we help?"),
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    privacy_accepted = forms.BooleanField(
        label=_("I have read the privacy notice and agree to be contacted about this enquiry."),
        error_messages={"required": _("Please accept the privacy notice so we can reply to you.")},
    )
    marketing_opt_in = forms.BooleanField(label=_("Send me news and offers by email (optional)."), required=False)
    # Bot traps: a field people never see, and the signed time the form was shown.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name not in {"privacy_accepted", "marketing_opt_in"}:
                field.widget.attrs.setdefault("class", "input")

    def clean_name(self) -> str:
        return check_name(self.cleaned_data["name"].replace("\x00", "").strip())

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])

    def clean_phone(self) -> str | None:
        raw = self.cleaned_data["phone"].strip()
        return normalize_phone(raw) if raw else None

    def clean_message(self) -> str:
        # A browser sends every line break of a textarea as CR LF: store them as typed (LF), so
        # the length the page counted is the length stored.
        return self.cleaned_data["message"].replace("\r\n", "\n")

    def submission(self, *, products: list[ProductInterest], ip_address: str | None) -> Submission:
        data = self.cleaned_data
        return Submission(
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            company=clean_text(data["company"]),
            role=data["role"] or None,
            location=clean_text(data["location"]),
            message=clean_text(data["message"]),
            product_interests=tuple(products),
            consent=consent_now(marketing_opt_in=data["marketing_opt_in"]),
            ip_address=ip_address,
        )


def product_choices() -> list[tuple[str, object]]:
    grouped: dict[str, list[tuple[str, str]]] = {}
    for product in Product.objects.filter(is_active=True, category__is_active=True).select_related("category"):
        grouped.setdefault(product.category.name, []).append((str(product.pk), product.name))
    return [("", _("Choose a product"))] + list(grouped.items())


class ProductInterestForm(AccessibleErrorsMixin, forms.Form):
    product = forms.ChoiceField(label=_("Product"), required=False)
    quantity = forms.CharField(label=_("Quantity or area"), max_length=100, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=NOTES_MAX_LENGTH, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = product_choices()
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "input")

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if (data.get("quantity") or data.get("notes")) and not data.get("product"):
            self.add_error("product", _("Choose the product these details are for."))
        return data

    def interest(self) -> ProductInterest | None:
        if not self.cleaned_data.get("product"):
            return None
        product = Product.objects.select_related("category").get(pk=self.cleaned_data["product"])
        return ProductInterest(
            category=product.category.name,
            product=product.name,
            quantity=clean_text(self.cleaned_data.get("quantity")),
            notes=clean_text(self.cleaned_data.get("notes")),
        )


class BaseProductInterestFormSet(forms.BaseFormSet):
    def full_clean(self) -> None:
        super().full_clean()
        # The template shows formset-level errors beside the first product
        # select; point that select at them so a screen reader announces them.
        if self._non_form_errors and self.forms:
            first = self.forms[0]
            first.fields["product"].widget.attrs.update(
                {"aria-invalid": "true", "aria-describedby": f"{first['product'].auto_id}-error"}
            )

    def clean(self) -> None:
        if any(self.errors):
            return
        if not any(form.cleaned_data.get("product") for form in self.forms):
            raise ValidationError(_("Choose at least one product you are interested in."))

    def interests(self) -> list[ProductInterest]:
        return [item for form in self.forms if (item := form.interest())]


ProductInterestFormSet = forms.formset_factory(
    ProductInterestForm, formset=BaseProductInterestFormSet, extra=3, max_num=5, absolute_max=5, validate_max=True
)
