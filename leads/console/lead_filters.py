"""The leads list: the filter form and the queryset it selects.

The list is ordered by (created_at, id) newest first and paged by keyset, so a
page never counts or skips the million rows before it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from assignments.models import MANAGERS_GROUP, REPS_GROUP
from assignments.routing import staff_users
from leads.console.cursors import parse_cursor
from leads.models import Lead, LeadProduct, LeadSource, LeadStatus, ProductCategory
from leads.search import search_leads
from leads.selectors import owned_by, with_current_triage, with_list_columns, with_returning
from leadsys.keyset import before_row

UNASSIGNED = "none"
PRIORITIES = (("high", _("High")), ("medium", _("Medium")), ("low", _("Low")))
MAX_SEARCH_LENGTH = 100


def _any(choices: list[tuple[str, str]] | tuple) -> list[tuple[str, str]]:
    return [("", _("Any")), *choices]


def _owner_choices() -> list[tuple[str, str]]:
    staff = staff_users().filter(is_active=True, groups__name__in=[REPS_GROUP, MANAGERS_GROUP]).distinct()
    people = [(str(u.id), u.get_full_name() or u.username) for u in staff.order_by("first_name", "last_name", "id")]
    return _any([(UNASSIGNED, _("Unassigned")), *people])


def _category_choices() -> list[tuple[str, str]]:
    return _any([(name, name) for name in ProductCategory.objects.values_list("name", flat=True)])


class LeadFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=MAX_SEARCH_LENGTH,
        help_text=_("Words of the name or company (their beginning), an email, or phone digits"),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_any(LeadStatus.choices))
    source = forms.ChoiceField(label=_("Source"), required=False, choices=_any(LeadSource.choices))
    priority = forms.ChoiceField(label=_("Priority"), required=False, choices=_any(PRIORITIES))
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    category = forms.ChoiceField(label=_("Product category"), required=False)
    created_from = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(label=_("Created to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    after = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = _owner_choices()
        self.fields["category"].choices = _category_choices()

    def clean_after(self) -> tuple[datetime, object] | None:
        value = self.cleaned_data.get("after")
        return parse_cursor(value) if value else None

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", _("The end date is before the start date."))
        return data


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def filtered_leads(data: dict) -> QuerySet[Lead]:
    """The leads a valid LeadFilterForm's cleaned_data selects, newest first, with owner and priority."""
    leads = with_list_columns(with_returning(with_current_triage(Lead.objects.all())), "owner_name", "owner_id")
    if data.get("q"):
        leads = search_leads(leads, data["q"])
    for field in ("status", "source"):
        if data.get(field):
            leads = leads.filter(**{field: data[field]})
    if data.get("priority"):
        leads = leads.filter(priority=data["priority"])
    if data.get("owner") == UNASSIGNED:
        leads = leads.filter(owner_id__isnull=True)
    elif data.get("owner"):
        leads = owned_by(leads, data["owner"])
    if data.get("category"):
        leads = leads.filter(Exists(LeadProduct.objects.filter(lead_id=OuterRef("pk"), category=data["category"])))
    if data.get("created_from"):
        leads = leads.filter(created_at__gte=_day_start(data["created_from"]))
    if data.get("created_to"):
        leads = leads.filter(created_at__lt=_day_start(data["created_to"] + timedelta(days=1)))
    return leads.order_by("-created_at", "-id")


def after_cursor(leads: QuerySet[Lead], cursor: tuple[datetime, object] | None) -> QuerySet[Lead]:
    # A row comparison, so (created_at DESC, id DESC) serves any depth as an index range.
    return leads if cursor is None else leads.filter(before_row("leads", "created_at", cursor))


def with_categories(leads: QuerySet[Lead]) -> QuerySet[Lead]:
    return with_list_columns(leads, "categories")
