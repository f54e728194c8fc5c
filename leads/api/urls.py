from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from leads.api import leads as api_leads
from leads.api import work as api_work


@csrf_exempt  # it changes nothing; a POST must get the JSON 404, not the CSRF page
def no_such_endpoint(request: HttpRequest, **kwargs: object) -> JsonResponse:
    """A JSON 404 for any other address under /api/v1/ (a malformed id included), never an HTML page."""
    message = "Nothing at this address: check the id and the path (see /api/v1/docs/)."
    return JsonResponse({"error": {"code": "not_found", "message": message}}, status=404)


app_name = "api"

urlpatterns = [
    path("leads/", api_leads.lead_list, name="leads"),
    path("leads/<uuid:lead_id>/", api_leads.lead_detail, name="lead"),
    path("leads/<uuid:lead_id>/activities/", api_leads.lead_activities, name="lead-activities"),
    path("follow-ups/", api_work.follow_up_list, name="follow-ups"),
    path("follow-ups/<uuid:activity_id>/complete/", api_work.follow_up_complete, name="follow-up-complete"),
    path("follow-ups/<uuid:activity_id>/cancel/", api_work.follow_up_cancel, name="follow-up-cancel"),
    path("approvals/", api_work.approval_list, name="approvals"),
    path("approvals/<uuid:activity_id>/approve/", api_work.approval_approve, name="approval-approve"),
    path("approvals/<uuid:activity_id>/reject/", api_work.approval_reject, name="approval-reject"),
    path("assignments/", api_work.assignment_list, name="assignments"),
    path("assignments/<uuid:assignment_id>/complete/", api_work.assignment_complete_view, name="assignment-complete"),
    path("assignments/<uuid:assignment_id>/reassign/", api_work.assignment_reassign_view, name="assignment-reassign"),
    path("dashboard/", api_work.dashboard, name="dashboard"),
    # The schema is public (no lead data); Swagger UI's assets come from the sidecar, not a CDN.
    path("schema/", SpectacularAPIView.as_view(permission_classes=[], authentication_classes=[]), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api:schema", permission_classes=[], authentication_classes=[]),
        name="docs",
    ),
    # [\s\S] rather than (?s), which reverse() cannot read: a path with an encoded newline is a JSON 404 too.
    re_path(r"^[\s\S]*$", no_such_endpoint),
]
