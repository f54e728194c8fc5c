"""The event log in the admin: read-only, because it is append-only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from activity.models import LeadActivity, StaffRead
from leadsys.admin_paging import LargeTableAdmin


@admin.register(LeadActivity)
class LeadActivityAdmin(LargeTableAdmin):
    list_display = ("created_at", "type", "status", "lead", "actor_type", "message")
    list_filter = ("type", "status", "actor_type")
    list_select_related = ("lead",)
    ordering = ("-created_at", "-id")
    readonly_fields = (
        "id",
        "lead",
        "created_at",
        "updated_at",
        "type",
        "status",
        "message",
        "actor_type",
        "actor_id",
        "metadata",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(StaffRead)
class StaffReadAdmin(admin.ModelAdmin):
    """The audit of exports and bulk reads: read-only, like the event log."""

    list_display = ("created_at", "username", "kind", "row_count", "filters")
    list_filter = ("kind",)
    search_fields = ("username",)
    ordering = ("-created_at", "-id")
    readonly_fields = ("id", "created_at", "user_id", "username", "kind", "filters", "row_count")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
