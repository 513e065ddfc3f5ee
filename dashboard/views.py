"""Manager dashboard (/dashboard/): are we meeting the standard, where not, and why."""

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from casereview.figures import dashboard_panel
from cases.models import AccessEvent
from cases.policy import Can, requires
from cases.services.access_log import access_record
from jag import figures as jag_figures

from . import monthly, selectors, targets
from .exports import EXPORTS, export_filename, export_rows
from .forms import DashboardForm


def _read(request):
    form = DashboardForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    today = timezone.localdate()
    period = selectors.period_from(data.get("period") or "this_month", today=today, start=data.get("start"), end=data.get("end"))
    filters = selectors.Filters(
        viewer=request.user,
        officer=data["officer"].pk if data.get("officer") else None,
        category=data["category"].pk if data.get("category") else None,
        channel=data.get("channel") or "",
        risk_level=data.get("risk_level") or "",
    )
    return form, period, filters


@never_cache
@requires(Can.READ_DASHBOARD)
def dashboard(request):
    form, period, filters = _read(request)
    query = request.GET.urlencode()
    # Closed months from their pre-aggregated rows (dashboard.monthly), the rest live: equal to selectors' figures.
    # One instant and one cache for both, so the current month's live figures are read once, not twice.
    now, cache = timezone.now(), {}
    trend_rows = monthly.trends(filters, today=timezone.localdate(now), now=now, cache=cache)
    for row in trend_rows:
        row["verdicts"] = targets.month_verdicts(row)
    figures = monthly.figures(period, filters, now=now, cache=cache)
    context = {
        "form": form, "period": period, "query": query, "figures": figures, "verdicts": targets.headline_verdicts(figures),
        "targets": targets.TARGETS, "trends": trend_rows, "bars": _bars(trend_rows), "workload": selectors.workload(filters),
        # The Case Review's four published numbers for the period's reporting year, and its stages' timeliness.
        "case_review": dashboard_panel(start_at=period.start_at, end_at=period.end_at, now=timezone.now()),
        # The JAG's last 12 months (jag.figures): meetings held against one a month, actions on time, items closed.
        "jag": jag_figures.last_twelve_months(timezone.localdate()),
    }
    return render(request, "dashboard/dashboard.html", context)


def _bars(rows, *, height=130, step=50):
    """Bar geometry for the reports chart: drawn by the server, so it reads without JavaScript."""
    most = max([r["reports"] for r in rows] + [1])
    bars = []
    for i, row in enumerate(rows):
        h = round(height * row["reports"] / most)
        bars.append({"x": i * step, "y": height - h, "h": h, "label": f"{row['month']:%b}"})
    return bars


@requires(Can.EXPORT_DATA)
def export(request, figure):
    if figure not in EXPORTS:
        raise Http404
    _, period, filters = _read(request)
    chosen = ", ".join(f"{n.replace('_', ' ')} {getattr(filters, n)}" for n in ("officer", "category", "channel", "risk_level") if getattr(filters, n))
    access_record(user=request.user, event=AccessEvent.EXPORT, request=request,
                  detail=f"{figure}.csv, {period.start:%-d %b %Y} to {period.end:%-d %b %Y}" + (f", {chosen}" if chosen else ""))
    response = StreamingHttpResponse(export_rows(figure, period, filters), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(figure, period, filters)}"'
    response["Cache-Control"] = "private, no-store"
    return response
