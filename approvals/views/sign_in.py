"""Signing in and out, recorded in the audit trail; the lockout page after repeated wrong passwords."""
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .. import sessions


class LoginView(auth_views.LoginView):
    def form_valid(self, form):
        sessions.sign_in(request=self.request, user=form.get_user())
        return redirect(self.get_success_url())

    def form_invalid(self, form):
        username = self.request.POST.get("username", "")
        if username or self.request.POST.get("password"):
            # django-axes flags a refused attempt once the name is locked out; AxesMiddleware
            # then answers with the lockout page instead of this form.
            sessions.sign_in_failed(username=username, path=self.request.path,
                                    locked_out=bool(getattr(self.request, "axes_locked_out", False)))
        return super().form_invalid(form)


def locked_out(request, credentials, *args, **kwargs):
    """django-axes' answer to a locked-out sign-in: the Chinese lockout page, status 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60) if settings.AXES_COOLOFF_TIME else None
    return render(request, "registration/locked_out.html",
                  {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}, status=429)


@require_POST
def logout_view(request):
    sessions.sign_out(request=request)
    return redirect("login")
