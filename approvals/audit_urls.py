from django.urls import path

from .views import audit as views

app_name = "audit"

urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("verify/", views.verify_now, name="verify"),
    path("export.<str:fmt>", views.export, name="export"),
    path("history/<str:kind>/<id:object_id>/", views.history, name="history"),
    path("plans/<id:plan_id>/as-of/", views.plan_as_of, name="plan_as_of"),
]
