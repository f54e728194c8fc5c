"""Admin for webhook endpoints (staff register them and rotate their secrets here) and their delivery log (read-only)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from leads.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from leads.webhooks.services import webhook_endpoint_resume, webhook_endpoint_secret_rotate
from leads.webhooks.signing import InvalidSecret, secret_validate

MAX_GRACE_HOURS = 24 * 30


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "secret", "events", "is_active"]

    def clean_secret(self) -> str:
        try:
            return secret_validate(self.cleaned_data["secret"])
        except InvalidSecret as exc:
            raise ValidationError(str(exc)) from exc


class SecretRotationForm(forms.Form):
    grace_hours = forms.IntegerField(
        label=_("Grace period (hours)"),
        min_value=0,
        max_value=MAX_GRACE_HOURS,
        initial=24,
        help_text=_("How long the old secret keeps signing beside the new one; 0 ends it now."),
    )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "description", "is_active", "paused_at", "consecutive_failures"]
    list_filter = ["is_active"]
    readonly_fields = ["paused_at", "consecutive_failures", "last_sequence", "created_at"]
    actions = ["resume"]

    def get_readonly_fields(self, request: HttpRequest, obj: WebhookEndpoint | None = None) -> list[str]:
        if obj is None:
            return list(self.readonly_fields)
        # An existing secret changes only by rotation, so the old one can keep signing for a while.
        return ["secret", "secret_rotation", "previous_secret_expires_at", *self.readonly_fields]

    @admin.display(description=_("Rotate secret"))
    def secret_rotation(self, obj: WebhookEndpoint) -> str:
        url = reverse("admin:leads_webhookendpoint_rotate_secret", args=[obj.id])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Rotate the secret…"))

    def get_urls(self) -> list[URLPattern]:
        rotate = path(
            "<int:object_id>/rotate-secret/",
            self.admin_site.admin_view(self.rotate_secret_view),
            name="leads_webhookendpoint_rotate_secret",
        )
        return [rotate, *super().get_urls()]

    def rotate_secret_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        endpoint = get_object_or_404(WebhookEndpoint, id=object_id)
        if not self.has_change_permission(request, endpoint):
            raise PermissionDenied
        form = SecretRotationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            hours = form.cleaned_data["grace_hours"]
            endpoint = webhook_endpoint_secret_rotate(
                endpoint_id=endpoint.id, grace=timedelta(hours=hours), now=timezone.now()
            )
            self.log_change(request, endpoint, f"Rotated the secret; the old one signs for {hours} more hour(s).")
            self.message_user(request, _("Secret rotated. Give the new secret to the receiver."), messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:leads_webhookendpoint_change", args=[endpoint.id]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Rotate the webhook secret"),
            "opts": self.opts,
            "original": endpoint,
            "form": form,
        }
        return TemplateResponse(request, "admin/webhooks/rotate_secret.html", context)

    @admin.action(description=_("Resume deliveries (clear the pause and send what waited, oldest first)"))
    def resume(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            webhook_endpoint_resume(endpoint_id=endpoint.id)
        self.message_user(request, f"{queryset.count()} endpoint(s) resumed.", messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "event",
        "endpoint",
        "sequence",
        "status",
        "attempts",
        "response_status",
        "last_attempt_at",
    ]
    list_filter = ["status", "event"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: WebhookDelivery | None = None) -> bool:
        return False
