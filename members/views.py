from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .forms import ProfileForm


@login_required
def dashboard(request):
    """The signed-in user's home: who they are and what to do next."""
    return render(
        request,
        "members/dashboard.html",
        {"mfa_enabled": is_mfa_enabled(request.user)},
    )


@login_required
def profile_edit(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile was saved.")
        return redirect("dashboard")
    return render(request, "members/profile_form.html", {"form": form})
