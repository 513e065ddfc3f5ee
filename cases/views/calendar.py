"""Managers' screen for council closure days (they are not working days for first-contact deadlines)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..forms import ClosureDayForm
from ..models import ClosureDay, ClosureDayChange
from ..policy import Can, requires
from ..services.deadlines import closure_day_add, closure_day_remove


@never_cache
@requires(Can.MANAGE_CLOSURE_DAYS)
def closure_days(request):
    form = ClosureDayForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        closure = closure_day_add(day=form.cleaned_data["day"], reason=form.cleaned_data["reason"], actor=request.user)
        messages.success(request, f"{closure.day:%-d %B %Y} is now a closure day; first-contact deadlines have been recalculated")
        return redirect("staff:closure_days")
    upcoming = ClosureDay.objects.filter(day__gte=timezone.localdate())
    changes = ClosureDayChange.objects.select_related("actor")[:10]
    return render(request, "cases/closure_days.html", {"form": form, "upcoming": upcoming, "changes": changes})


@requires(Can.MANAGE_CLOSURE_DAYS)
@require_POST
def closure_day_delete(request):
    try:
        day = parse_date(request.POST.get("day", ""))
    except ValueError:  # well formed but not a real date (31 February): nothing to remove
        day = None
    if day:
        closure_day_remove(day=day, actor=request.user)
        messages.success(request, f"{day:%-d %B %Y} is a working day again; first-contact deadlines have been recalculated")
    return redirect("staff:closure_days")
