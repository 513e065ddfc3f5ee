"""Setting up a JAG (/jag/groups/): the groups, their rule, place and confidentiality statement, and their members.
Managers of JAG business only (everyone else: 404). The rules live in jag.services.groups."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cases.policy import Can, requires

from ..forms_groups import WEEKDAYS, WEEKS, GroupForm, MemberAddForm
from ..models import JagGroup, JagMember
from ..selectors import member_candidates
from ..services.groups import GroupValues, group_save, member_add, member_update
from ..services.schedule import JagError


def rule_words(group: JagGroup) -> str:
    week = dict((c.value, c.label) for c in WEEKS)[group.week].lower()
    day = dict((c.value, c.label) for c in WEEKDAYS)[group.weekday]
    return f"The {week} {day} of every month at {group.starts_at:%H:%M}"


@never_cache
@requires(Can.MANAGE_JAG)
def groups(request):
    rows = list(JagGroup.objects.annotate(
        member_count=Count("members", filter=Q(members__is_active=True)),
        co_chair_count=Count("members", filter=Q(members__is_active=True, members__is_co_chair=True))).order_by("name"))
    for group in rows:
        group.rule = rule_words(group)
    return render(request, "jag/groups.html", {"groups": rows})


def _values(form) -> GroupValues:
    data = form.cleaned_data
    return GroupValues(name=data["name"], week=data["week"], weekday=data["weekday"], starts_at=data["starts_at"],
                       location=data["location"], confidentiality_statement=data["confidentiality_statement"],
                       nomination_cutoff_days=data["nomination_cutoff_days"], papers_cutoff_days=data["papers_cutoff_days"],
                       is_active=data["is_active"])


@never_cache
@requires(Can.MANAGE_JAG)
def group_edit(request, group_id=None):
    group = get_object_or_404(JagGroup, pk=group_id) if group_id is not None else None
    initial = None
    if group is not None:
        initial = {f: getattr(group, f) for f in ("name", "week", "weekday", "location", "confidentiality_statement",
                                                  "nomination_cutoff_days", "papers_cutoff_days", "is_active")}
        initial["starts_at"] = f"{group.starts_at:%H:%M}"
    form = GroupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = group_save(group=group, values=_values(form), actor=request.user)
        except JagError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{saved.name} saved: its next twelve meetings are on the schedule")
            return redirect("jag:group", group_id=saved.pk)
    return render(request, "jag/group_form.html", {"form": form, "group": group})




@never_cache
@requires(Can.MANAGE_JAG)
def group(request, group_id):
    group = get_object_or_404(JagGroup, pk=group_id)
    form = MemberAddForm(request.POST or None, people=member_candidates(group))
    if request.method == "POST" and form.is_valid():
        try:
            member = member_add(group=group, user=form.chosen, is_co_chair=form.cleaned_data["is_co_chair"],
                                actor=request.user)
        except JagError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{member.user.get_full_name() or member.user.get_username()} added to {group.name}")
            return redirect("jag:group", group_id=group.pk)
    members = list(JagMember.objects.filter(group=group).select_related("user", "agency")
                   .order_by("-is_active", "-is_co_chair", "agency__name", "user__last_name", "pk"))
    return render(request, "jag/group.html", {"group": group, "rule": rule_words(group), "members": members, "form": form})


CHANGES = {"co_chair": (True, True), "stand_down": (False, True), "remove": (False, False), "restore": (False, True)}


@require_POST
@requires(Can.MANAGE_JAG)
def member_change(request, member_id):
    member = get_object_or_404(JagMember.objects.select_related("group", "user"), pk=member_id)
    change = CHANGES.get(request.POST.get("change", ""))
    if change is None:
        raise Http404
    is_co_chair, is_active = change
    try:
        member_update(member=member, is_co_chair=is_co_chair, is_active=is_active, actor=request.user)
    except JagError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{member.user.get_full_name() or member.user.get_username()}: saved")
    return redirect("jag:group", group_id=member.group_id)


