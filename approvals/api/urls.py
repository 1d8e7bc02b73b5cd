"""The JSON API under /api/ (see approvals.api.views), and its OpenAPI schema.

No Swagger or Redoc page: their scripts come from a CDN, which the product never loads.
"""
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import IsAuthenticated

from . import changes as changes_api
from . import scorecard as scorecard_api
from . import supervision as supervision_api
from . import views, year

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="schema"),
    path("assignments/", views.AssignmentListView.as_view(), name="assignment_list"),
    path("assignments/<id:pk>/", views.AssignmentDetailView.as_view(), name="assignment_detail"),
    path("assignments/<id:pk>/evidence/", views.EvidenceUploadView.as_view(), name="assignment_evidence"),
    path("assignments/<id:pk>/archive.pdf", views.ArchivePdfView.as_view(), name="assignment_archive"),
    path("assignments/<id:pk>/start/", views.StartView.as_view(), name="assignment_start"),
    path("assignments/<id:pk>/submit/", views.SubmitView.as_view(), name="assignment_submit"),
    path("assignments/<id:pk>/approve/", views.ApproveView.as_view(), name="assignment_approve"),
    path("assignments/<id:pk>/return/", views.ReturnView.as_view(), name="assignment_return"),
    path("assignments/<id:pk>/recall/", views.RecallView.as_view(), name="assignment_recall"),
    path("assignments/<id:pk>/accept/", views.AcceptView.as_view(), name="assignment_accept"),
    path("assignments/<id:pk>/transfer_requests/", changes_api.AssignmentTransferRequestView.as_view(),
         name="assignment_transfer_request"),
    path("assignments/<id:pk>/hand_over/", changes_api.AssignmentHandOverView.as_view(),
         name="assignment_hand_over"),
    path("assignments/<id:pk>/period_reports/<id:report_id>/file/", year.PeriodFileView.as_view(),
         name="period_report_file"),
    path("assignments/<id:pk>/period_reports/<id:report_id>/read/", year.PeriodReadView.as_view(),
         name="period_report_read"),
    path("assignments/<id:pk>/period_reports/<id:report_id>/return/", year.PeriodReturnView.as_view(),
         name="period_report_return"),
    path("assignments/<id:pk>/milestones/", year.MilestoneAddView.as_view(), name="milestone_add"),
    path("assignments/<id:pk>/extension_requests/", year.ExtensionRequestView.as_view(), name="extension_request"),
    path("extension_requests/<id:pk>/approve/", year.ExtensionApproveView.as_view(), name="extension_approve"),
    path("extension_requests/<id:pk>/reject/", year.ExtensionRejectView.as_view(), name="extension_reject"),
    path("extension_requests/<id:pk>/withdraw/", year.ExtensionWithdrawView.as_view(), name="extension_withdraw"),
    path("transfer_requests/", changes_api.TransferRequestListView.as_view(), name="transfer_request_list"),
    path("transfer_requests/<id:pk>/", changes_api.TransferRequestDetailView.as_view(),
         name="transfer_request_detail"),
    path("transfer_requests/<id:pk>/approve/", changes_api.TransferApproveView.as_view(), name="transfer_approve"),
    path("transfer_requests/<id:pk>/reject/", changes_api.TransferRejectView.as_view(), name="transfer_reject"),
    path("delegations/", changes_api.DelegationListView.as_view(), name="delegation_list"),
    path("delegations/<id:pk>/revoke/", changes_api.DelegationRevokeView.as_view(), name="delegation_revoke"),
    path("plans/", views.PlanListView.as_view(), name="plan_list"),
    path("plans/<id:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<id:pk>/items/", views.PlanItemCreateView.as_view(), name="plan_item_create"),
    path("plans/<id:pk>/dispatch/", views.PlanDispatchView.as_view(), name="plan_dispatch"),
    path("plans/<id:pk>/revise/", changes_api.PlanReviseView.as_view(), name="plan_revise"),
    path("plans/<id:pk>/progress/", supervision_api.PlanProgressView.as_view(), name="plan_progress"),
    path("plans/<id:pk>/export.xlsx", supervision_api.PlanExportView.as_view(), name="plan_export"),
    path("plans/<id:pk>/scorecard/", scorecard_api.PlanScorecardView.as_view(), name="plan_scorecard"),
    path("tasks/<id:pk>/select_units/", views.TaskSelectUnitsView.as_view(), name="task_select_units"),
    # Last: a file name nothing above matched (a non-numeric id before archive.pdf), and any address
    # ending in "/" (newlines included); APPEND_SLASH still redirects the others.
    re_path(r"^[\s\S]*\.(?:pdf|xlsx)$", views.UnknownEndpointView.as_view(), name="unknown_file"),
    re_path(r"^(?:[\s\S]*/)?$", views.UnknownEndpointView.as_view(), name="unknown"),
]
