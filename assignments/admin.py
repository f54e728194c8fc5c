"""Assignments (read-only: the SLA fields are the trigger's) and reps' routing settings."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from assignments.models import Assignment, RepProfile
from leadsys.admin_paging import LargeTableAdmin


@admin.register(Assignment)
class AssignmentAdmin(LargeTableAdmin):
    list_display = ("assigned_at", "lead", "owner_name", "status", "sla_deadline", "sla_met", "response_time_minutes")
    list_filter = ("status", "sla_met")
    list_select_related = ("lead",)
    # Exact owner id (a user id): idx_assignments_owner_id serves it.
    search_fields = ("=owner_id",)
    search_help_text = "An owner's user id."
    ordering = ("-assigned_at", "-id")
    readonly_fields = (
        "id",
        "lead",
        "assigned_at",
        "owner_id",
        "owner_name",
        "sla_deadline",
        "sla_met",
        "response_time_minutes",
        "status",
        "completed_at",
    )

    # Completing and reassigning go through the services (console and API), which record events.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(RepProfile)
class RepProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "availability", "max_open_leads", "manager", "last_assigned_at")
    list_filter = ("availability",)
    list_editable = ("availability", "max_open_leads")
    list_select_related = ("user", "manager")
    search_fields = ("user__username", "user__first_name", "user__last_name", "user__email")
    readonly_fields = ("last_assigned_at",)
