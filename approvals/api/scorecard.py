"""STUB (being written): GET /api/plans/{id}/scorecard/."""
from rest_framework.views import APIView


class PlanScorecardView(APIView):
    pass
