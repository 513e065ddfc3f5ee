"""Setting up, checking and removing one's own authenticator app."""

from urllib.parse import urlencode

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import services
from ..forms import CodeForm
from ..services import confirmed_device, secret_in_groups, two_factor_enrol_confirm, two_factor_enrol_start
from .signin import _safe_next


def _qr_svg(url: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=5, border=4, svgclass="app-qr", lineclass=None, dark="#0b0c0c")
    # segno writes this markup itself; the otpauth URL is only encoded as black and white modules.
    return mark_safe(  # noqa: S308
        svg.replace("<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ', 1)
    )


@never_cache
@login_required
def two_factor(request):
    """Two-factor status, and setting up an app (a QR code, the key typed out, then a code to confirm it)."""
    user = request.user
    device = confirmed_device(user)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if device is not None and not user.is_verified():
        return redirect(f"{reverse('accounts:login_code')}?{urlencode({'next': request.get_full_path()})}")
    if device is not None:
        return render(request, "accounts/two_factor_on.html", {"device": device, "form": CodeForm(label="Code from your authenticator app")})

    new = two_factor_enrol_start(user=user)
    form = CodeForm(request.POST if request.method == "POST" else None, label="Code from your authenticator app")
    if request.method == "POST" and form.is_valid():
        if two_factor_enrol_confirm(user=user, device=new, token=form.cleaned_data["token"], request=request):
            django_otp.login(request, new)
            messages.success(request, "Two-factor sign-in is set up. Next time you sign in, you will be asked for a code.")
            return redirect(next_url or "accounts:two_factor")
        form.add_error("token", "The code is not right. Check the key you entered, then enter the code your app shows now")
    context = {
        "form": form,
        "qr": _qr_svg(new.config_url),
        "secret": secret_in_groups(new),
        "next": next_url,
    }
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
@require_POST
def two_factor_remove(request):
    """Remove one's own app, proving it with a current code (someone at an unlocked desk cannot)."""
    device = confirmed_device(request.user)
    if device is None:
        return redirect("accounts:two_factor")
    form = CodeForm(request.POST, label="Code from your authenticator app")
    if form.is_valid() and services.two_factor_remove(user=request.user, device=device, token=form.cleaned_data["token"], request=request):
        messages.success(request, "Two-factor sign-in is removed. Set up your new phone now.")
        return redirect("accounts:two_factor")
    if form.is_valid():
        form.add_error("token", "The code is not right. Enter the code your authenticator app shows now")
    return render(request, "accounts/two_factor_on.html", {"device": device, "form": form}, status=200)
