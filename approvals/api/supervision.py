"""STUB (being written): GET /api/plans/{id}/progress/ and GET /api/plans/{id}/export.xlsx."""
from rest_framework.views import APIView


class PlanProgressView(APIView):
    pass


class PlanExportView(APIView):
    pass
