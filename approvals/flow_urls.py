from django.urls import path

from .views import flow as flow_views

app_name = "flow"

urlpatterns = [
    path("queue/", flow_views.queue, name="queue"),
    path("done/", flow_views.done, name="done"),
    path("tasks/<id:task_pk>/", flow_views.task_redirect, name="task"),
]
