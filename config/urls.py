from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from approvals import views as approval_views
from workflows import views as workflow_views

urlpatterns = [
    path("", workflow_views.home, name="home"),
    path("login/", approval_views.LoginView.as_view(), name="login"),
    path("logout/", approval_views.logout_view, name="logout"),
    path("audit/", include("audit.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("plans/", include("workflows.urls")),
    path("", include("approvals.urls")),
    path("workflow/", include("approvals.flow_urls")),
    path("api/", include("approvals.api.urls")),
    path("admin/", admin.site.urls),
]
