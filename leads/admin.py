"""Staff views of leads. Source data is shown read-only: changes go through services."""

from __future__ import annotations

import logging
from typing import Any

import axes.admin  # registers AccessAttemptAdmin now, so it can be replaced below
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from activity.models import LeadActivity
from assignments.models import Assignment
from assignments.routing import is_manager
from leads.models import (
    HeldSubmission,
    IdempotencyKey,
    Lead,
    LeadProduct,
    LeadRole,
    LeadSource,
    Product,
    ProductCategory,
    RateLimitBucket,
    RejectedSubmission,
)
from leads.search import search_leads
from leadsys.admin_paging import LargeTableAdmin

lockout_log = logging.getLogger("leadsys.lockout")


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class LeadProductInline(ReadOnlyInline):
    model = LeadProduct
    fields = ("category", "product", "quantity", "notes", "created_at")
    readonly_fields = fields


class LeadActivityInline(ReadOnlyInline):
    model = LeadActivity
    fields = ("created_at", "type", "status", "message", "actor_type", "actor_id")
    readonly_fields = fields
    ordering = ("-created_at",)
    max_num = 0


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = ("assigned_at", "owner_name", "owner_id", "status", "sla_deadline", "sla_met", "response_time_minutes")
    readonly_fields = fields
    ordering = ("-assigned_at",)
    max_num = 0


class ChoicesFilter(admin.SimpleListFilter):
    """A filter from a fixed list: Django's default for a field without choices runs
    SELECT DISTINCT over the whole table on every change-list page."""

    choices_list: list[tuple[str, Any]] = []

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return self.choices_list

    def queryset(self, request: HttpRequest, queryset: QuerySet[Lead]) -> QuerySet[Lead]:
        value = self.value()
        return queryset.filter(**{self.parameter_name: value}) if value else queryset


class SourceFilter(ChoicesFilter):
    title = _("source")
    parameter_name = "source"
    choices_list = LeadSource.choices


class RoleFilter(ChoicesFilter):
    title = _("role")
    parameter_name = "role"
    choices_list = LeadRole.choices


@admin.register(Lead)
class LeadAdmin(LargeTableAdmin):
    list_display = ("name", "email", "phone", "company", "role", "location", "source", "status", "created_at")
    list_filter = ("status", SourceFilter, RoleFilter)
    # Declared so the admin shows its search box; get_search_results() does the search with indexes.
    search_fields = ("name", "email", "phone", "company")
    search_help_text = _(
        "Words of the name, company or email by their beginning (“rah shar”), an email by its beginning, "
        "or a phone number’s digits."
    )
    ordering = ("-created_at", "-id")
    readonly_fields = (
        "id",
        "created_at",
        "updated_at",
        "name",
        "email",
        "phone",
        "company",
        "role",
        "location",
        "message",
        "source",
        "status",
        "first_response_at",
        "last_contact_at",
        "conversion_date",
    )
    inlines = [LeadProductInline, AssignmentInline, LeadActivityInline]

    # Leads arrive through the form or the API and change through the services, which record
    # events; deleting one would erase its audit trail.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Lead], search_term: str
    ) -> tuple[QuerySet[Lead], bool]:
        return search_leads(queryset, search_term, as_owner=True), False


class ProductInline(admin.TabularInline):
    model = Product
    extra = 1
    fields = ("name", "position", "is_active")


@admin.register(ProductCategory)
class ProductCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "position", "is_active")
    list_editable = ("position", "is_active")
    inlines = [ProductInline]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "position", "is_active")
    list_filter = ("category", "is_active")
    search_fields = ("name",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Internal state, shown for support: written only by the code that owns it."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    """What an integration's retry with the same Idempotency-Key gets back; kept 24 hours."""

    list_display = ("created_at", "scope", "key", "status_code")
    search_fields = ("=key",)
    ordering = ("-created_at",)


@admin.register(RateLimitBucket)
class RateLimitBucketAdmin(ReadOnlyAdmin):
    """Submissions per client address per window; deleting a row lifts that limit early."""

    list_display = ("window_start", "bucket", "hits")
    ordering = ("-window_start",)


class NoDeleteReadOnlyAdmin(ReadOnlyAdmin):
    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(HeldSubmission)
class HeldSubmissionAdmin(NoDeleteReadOnlyAdmin):
    """Submissions the form's bot checks held back; managers release or discard them in the console."""

    list_display = ("created_at", "reason", "status", "decided_by", "decided_at", "lead")
    list_filter = ("status", "reason")
    ordering = ("-created_at", "-id")
    readonly_fields = (
        "id",
        "created_at",
        "reason",
        "status",
        "payload",
        "ip_address",
        "decided_by",
        "decided_at",
        "lead",
    )


@admin.register(RejectedSubmission)
class RejectedSubmissionAdmin(NoDeleteReadOnlyAdmin):
    """Honeypot hits, kept REJECTED_SUBMISSION_RETENTION_DAYS and then purged by the hourly job."""

    list_display = ("created_at", "reason", "email", "name", "trap_value", "ip_address")
    search_fields = ("=email",)
    ordering = ("-created_at",)


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class LockoutAdmin(axes.admin.AccessAttemptAdmin):
    """Failed sign-ins (django-axes). Sales managers may see them and unlock: removing the rows lifts the lock."""

    actions = ["unlock"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_manager(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return is_manager(request.user) or super().has_view_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return is_manager(request.user) or super().has_delete_permission(request, obj)

    @admin.action(description=_("Unlock: forget these failed attempts"), permissions=["delete"])
    def unlock(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        rows = list(queryset.values_list("ip_address", "username").distinct())
        for ip_address, username in rows:  # axes' own reset: the lock is nothing but these rows
            axes_reset(ip=ip_address, username=username)
        lockout_log.warning("lockout lifted by user=%s for %s", request.user.pk, rows)
        self.message_user(request, _("Unlocked %(n)d.") % {"n": len(rows)}, messages.SUCCESS)


from leads.webhooks import admin as webhook_admin  # noqa: E402, F401  (registers the webhook admin)
