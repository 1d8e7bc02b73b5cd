"""Sign-in and sign-out, recorded in the audit trail."""
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from . import services


class LoginView(auth_views.LoginView):
    def form_valid(self, form):
        services.sign_in(request=self.request, user=form.get_user())
        return redirect(self.get_success_url())

    def form_invalid(self, form):
        username = self.request.POST.get("username", "")
        if username or self.request.POST.get("password"):
            services.sign_in_failed(username=username)
        return super().form_invalid(form)


@require_POST
def logout_view(request):
    services.sign_out(request=request)
    return redirect("login")
