"""STUB (being written): 催办 forms for one assignment and for a unit's overdue assignments."""
from django.http import HttpResponse


def remind_assignment(request, pk: int):
    return HttpResponse(status=501)


def remind_overdue(request, plan_id: int, unit_id: int):
    return HttpResponse(status=501)
