from django.urls import path

from . import change_views, dashboard_views, dispatch_views, reminder_views, scorecard_views, views

app_name = "approvals"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("assignments/", views.assignment_list, name="assignment_list"),
    path("assignments/<id:pk>/", views.assignment_detail, name="assignment_detail"),
    path("assignments/<id:pk>/start/", views.assignment_action, {"action": "start"}, name="assignment_start"),
    path("assignments/<id:pk>/submit/", views.assignment_action, {"action": "submit"}, name="assignment_submit"),
    path("assignments/<id:pk>/approve/", views.assignment_action, {"action": "approve"},
         name="assignment_approve"),
    path("assignments/<id:pk>/return/", views.assignment_action, {"action": "return"}, name="assignment_return"),
    path("assignments/<id:pk>/accept/", views.assignment_action, {"action": "accept"}, name="assignment_accept"),
    path("assignments/<id:pk>/due-date/", views.assignment_action, {"action": "due_date"},
         name="assignment_due_date"),
    path("assignments/<id:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("assignments/<id:pk>/archive.pdf", views.archive_download, name="archive_download"),
    path("evidence/<id:evidence_id>/download/", views.evidence_download, name="evidence_download"),
    path("evidence/<id:evidence_id>/withdraw/", views.evidence_withdraw, name="evidence_withdraw"),
    path("dispatch/plans/<id:plan_id>/", dispatch_views.plan_dispatch, name="plan_dispatch"),
    # Supervision (督办): dashboard, exports, scorecard, reminders.
    path("supervision/plans/<id:plan_id>/", dashboard_views.dashboard, name="dashboard"),
    path("supervision/plans/<id:plan_id>/export.xlsx", dashboard_views.export_xlsx, name="dashboard_export"),
    path("supervision/plans/<id:plan_id>/report.pdf", dashboard_views.progress_pdf, name="dashboard_report"),
    path("supervision/plans/<id:plan_id>/scorecard/", scorecard_views.scorecard, name="scorecard"),
    path("assignments/<id:pk>/remind/", reminder_views.remind_assignment, name="assignment_remind"),
    path("supervision/plans/<id:plan_id>/units/<id:unit_id>/remind/", reminder_views.remind_overdue,
         name="unit_remind_overdue"),
    path("dispatch/plans/<id:plan_id>/rounds/", dispatch_views.round_open, name="round_open"),
    path("dispatch/tasks/<id:task_id>/units/", dispatch_views.task_select_units, name="task_select_units"),
    # Changes after dispatch: transfer requests, handing over, delegations.
    path("assignments/<id:pk>/transfer/", change_views.transfer_request, name="transfer_request"),
    path("assignments/<id:pk>/hand-over/", change_views.hand_over, name="assignment_hand_over"),
    path("transfers/", change_views.transfer_list, name="transfer_list"),
    path("transfers/<id:pk>/approve/", change_views.transfer_approve, name="transfer_approve"),
    path("transfers/<id:pk>/reject/", change_views.transfer_reject, name="transfer_reject"),
    path("delegations/", change_views.delegations, name="delegations"),
    path("delegations/<id:pk>/revoke/", change_views.delegation_revoke, name="delegation_revoke"),
]
