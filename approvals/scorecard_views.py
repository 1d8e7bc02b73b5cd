"""STUB (being written): the scorecard page (考核)."""
from django.http import HttpResponse


def scorecard(request, plan_id: int):
    return HttpResponse(status=501)
