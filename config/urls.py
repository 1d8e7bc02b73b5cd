from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.i18n import set_language

from approvals.views import plans, sign_in


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; the icon is a static SVG."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


urlpatterns = [
    path("", plans.home, name="home"),
    path("favicon.ico", favicon),
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
