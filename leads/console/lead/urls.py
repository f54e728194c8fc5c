"""The sales console: my queue and the lead page with its actions (each action a POST URL)."""

from django.urls import path

from leads.console.lead import views

lead = "leads/<uuid:lead_id>/"

urlpatterns = [
    path("queue/", views.my_queue, name="queue"),
    path(lead, views.lead_detail, name="lead"),
    path(lead + "call/", views.log_call, name="lead_call"),
    path(lead + "email/", views.log_email, name="lead_email"),
    path(lead + "note/", views.add_note, name="lead_note"),
    path(lead + "status/", views.change_status, name="lead_status"),
    path(lead + "follow-ups/", views.schedule_follow_up, name="lead_follow_up"),
    path(lead + "follow-ups/<uuid:item_id>/complete/", views.complete_follow_up, name="lead_follow_up_complete"),
    path(lead + "follow-ups/<uuid:item_id>/cancel/", views.cancel_follow_up, name="lead_follow_up_cancel"),
    path(lead + "assignment/complete/", views.complete_assignment, name="lead_complete"),
    path(lead + "assignment/reassign/", views.reassign, name="lead_reassign"),
    path(lead + "approvals/", views.request_approval, name="lead_approval_request"),
    path(lead + "approvals/<uuid:item_id>/decide/", views.decide_approval, name="lead_approval_decide"),
    path(lead + "ai/correct/", views.correct_ai, name="lead_correct_ai"),
    path(lead + "contact/", views.edit_contact, name="lead_contact"),
]
