"""STUB (being written): the plan dashboard, its XLSX export and the progress report PDF."""
from django.http import HttpResponse


def dashboard(request, plan_id: int):
    return HttpResponse(status=501)


def export_xlsx(request, plan_id: int):
    return HttpResponse(status=501)


def progress_pdf(request, plan_id: int):
    return HttpResponse(status=501)
