"""Staff views of leads. Source data is shown read-only: changes go through services."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from activity.models import LeadActivity
from leads.models import Lead, LeadProduct, Product, ProductCategory


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


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "phone", "company", "role", "location", "source", "status", "created_at")
    list_filter = ("status", "source", "role")
    search_fields = ("email", "name", "phone", "company")
    date_hierarchy = None
    ordering = ("-created_at",)
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
    inlines = [LeadProductInline, LeadActivityInline]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # leads arrive through the form or the API


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


from leads import webhook_admin  # noqa: E402, F401  (registers the webhook admin)
