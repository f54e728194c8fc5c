from django.urls import path

from leads.console.overview import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("follow-ups/<uuid:activity_id>/complete/", views.follow_up_complete, name="follow_up_complete"),
    path("follow-ups/<uuid:activity_id>/snooze/", views.follow_up_snooze_view, name="follow_up_snooze"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<uuid:activity_id>/decide/", views.approval_decide, name="approval_decide"),
    path("leads/", views.leads, name="leads"),
    path("leads/export.csv", views.leads_csv, name="leads_csv"),
    path("reads/", views.staff_reads, name="staff_reads"),
]
