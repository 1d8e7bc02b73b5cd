from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from approvals.views import plans, sign_in

urlpatterns = [
    path("", plans.home, name="home"),
    path("login/", sign_in.LoginView.as_view(), name="login"),
    path("logout/", sign_in.logout_view, name="logout"),
    path("audit/", include("approvals.audit_urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("plans/", include("approvals.plan_urls")),
    path("", include("approvals.urls")),
    path("workflow/", include("approvals.flow_urls")),
    path("api/", include("approvals.api.urls")),
    path("admin/", admin.site.urls),
]
