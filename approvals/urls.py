from django.urls import path

from .views import (
    assignments,
    changes,
    dashboard,
    dispatch,
    evidence,
    lists,
    reminders,
    scorecard,
)

app_name = "approvals"

urlpatterns = [
    path("inbox/", lists.inbox, name="inbox"),
    path("assignments/", lists.assignment_list, name="assignment_list"),
    path("assignments/export.xlsx", lists.assignment_export, name="assignment_export"),
    path("assignments/batch/", lists.assignment_batch, name="assignment_batch"),
    path("assignments/<id:pk>/", assignments.assignment_detail, name="assignment_detail"),
    path("assignments/<id:pk>/start/", assignments.assignment_action, {"action": "start"}, name="assignment_start"),
    path("assignments/<id:pk>/submit/", assignments.assignment_action, {"action": "submit"}, name="assignment_submit"),
    path("assignments/<id:pk>/recall/", assignments.assignment_action, {"action": "recall"}, name="assignment_recall"),
    path("assignments/<id:pk>/approve/", assignments.assignment_action, {"action": "approve"},
         name="assignment_approve"),
    path("assignments/<id:pk>/return/", assignments.assignment_action, {"action": "return"}, name="assignment_return"),
    path("assignments/<id:pk>/accept/", assignments.assignment_action, {"action": "accept"}, name="assignment_accept"),
    path("assignments/<id:pk>/due-date/", assignments.assignment_action, {"action": "due_date"},
         name="assignment_due_date"),
    path("assignments/<id:pk>/draft/", assignments.assignment_draft, name="assignment_draft"),
    path("assignments/<id:pk>/evidence/", evidence.evidence_upload, name="evidence_upload"),
    path("assignments/<id:pk>/archive.pdf", evidence.archive_download, name="archive_download"),
    path("evidence/<id:evidence_id>/download/", evidence.evidence_download, name="evidence_download"),
    path("evidence/<id:evidence_id>/withdraw/", evidence.evidence_withdraw, name="evidence_withdraw"),
    path("dispatch/plans/<id:plan_id>/", dispatch.plan_dispatch, name="plan_dispatch"),
    # Supervision (督办): dashboard, exports, scorecard, reminders.
    path("supervision/plans/<id:plan_id>/", dashboard.dashboard, name="dashboard"),
    path("supervision/plans/<id:plan_id>/export.xlsx", dashboard.export_xlsx, name="dashboard_export"),
    path("supervision/plans/<id:plan_id>/report/", dashboard.progress_report_request, name="dashboard_report"),
    path("supervision/reports/<id:report_id>/", dashboard.generated_report, name="generated_report"),
    path("supervision/reports/<id:report_id>/download/", dashboard.generated_report_download,
         name="generated_report_download"),
    path("supervision/plans/<id:plan_id>/scorecard/", scorecard.scorecard, name="scorecard"),
    path("assignments/<id:pk>/remind/", reminders.remind_assignment, name="assignment_remind"),
    path("assignments/<id:pk>/notices/<slug:kind>.<slug:fmt>", reminders.assignment_notice, name="assignment_notice"),
    path("supervision/plans/<id:plan_id>/units/<id:unit_id>/remind/", reminders.remind_overdue,
         name="unit_remind_overdue"),
    path("dispatch/plans/<id:plan_id>/rounds/", dispatch.round_open, name="round_open"),
    path("dispatch/tasks/<id:task_id>/units/", dispatch.task_select_units, name="task_select_units"),
    # Changes after dispatch: transfer requests, handing over, delegations.
    path("assignments/<id:pk>/transfer/", changes.transfer_request, name="transfer_request"),
    path("assignments/<id:pk>/hand-over/", changes.hand_over, name="assignment_hand_over"),
    path("transfers/", changes.transfer_list, name="transfer_list"),
    path("transfers/<id:pk>/approve/", changes.transfer_approve, name="transfer_approve"),
    path("transfers/<id:pk>/reject/", changes.transfer_reject, name="transfer_reject"),
    path("delegations/", changes.delegations, name="delegations"),
    path("delegations/<id:pk>/revoke/", changes.delegation_revoke, name="delegation_revoke"),
]
