from django.urls import path

from .views import plan_entry as entry_views
from .views import plans as views
from .views import revisions as revision_views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("new/", entry_views.plan_create, name="plan_create"),
    path("<id:plan_id>/items/new/", entry_views.plan_item_add, name="plan_item_add"),
    path("import/", views.plan_import_upload, name="plan_import"),
    path("import/<str:token>/", views.plan_import_preview, name="plan_import_preview"),
    path("import/<str:token>/map/", views.plan_import_map, name="plan_import_map"),
    path("<id:plan_id>/", views.plan_detail, name="plan_detail"),
    path("<id:plan_id>/revise/", revision_views.plan_revise_upload, name="plan_revise"),
    path("<id:plan_id>/revise/<str:token>/", revision_views.plan_revise_preview, name="plan_revise_preview"),
]
