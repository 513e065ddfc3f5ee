"""How reports come in: the public online journey and the call-centre phone report."""

import uuid
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django_ratelimit.core import is_ratelimited
from formtools.wizard.views import NamedUrlSessionWizardView

from asb_portal.views import rate_limited
from cases import sla
from cases.contact_rules import message_channel_for
from cases.models import Channel, DeadlineKind
from cases.policy import Can, can
from cases.ratelimits import client_address
from cases.selectors import (
    caller_history,
    first_contact_due_for,
    open_case_from_history,
    open_case_ids,
    phone_report_for_confirmation,
    staged_evidence,
)
from cases.selectors_register_pages import phone_register_prompt
from cases.selectors_resident import anonymous_report_link
from cases.services import ReportError, evidence_stage, evidence_staged_discard, evidence_unstage, report_submit
from cases.services.resident_links import link_url, resident_link_issue

from . import forms

ONLINE_STEPS = [
    ("category", forms.CategoryForm),
    ("other-categories", forms.OtherCategoriesForm),
    ("location", forms.LocationForm),
    ("when", forms.WhenForm),
    ("description", forms.DescriptionForm),
    ("people", forms.PeopleForm),
    ("your-part", forms.YourPartForm),
    ("support", forms.SupportForm),
    ("evidence", forms.EvidenceForm),
    ("anonymous", forms.AnonymousForm),
    ("about-you", forms.AboutYouForm),
    ("customer-group", forms.CustomerGroupForm),
    ("contact-preferences", forms.ContactPreferencesForm),
    ("consent", forms.ConsentForm),
    ("check", forms.CheckAnswersForm),
]
LAST_REPORT_SESSION_KEY = "reporting:last_report"


def _gives_details(wizard) -> bool:
    data = wizard.get_cleaned_data_for_step("anonymous")
    return not (data or {}).get("anonymous", False)


def start(request):
    return render(request, "reporting/start.html")


@method_decorator(never_cache, name="dispatch")
class OnlineReportWizard(NamedUrlSessionWizardView):
    """The public journey: one question per page, answers kept in the (database) session."""

    form_list = ONLINE_STEPS
    condition_dict = {"about-you": _gives_details, "contact-preferences": _gives_details}
    # Evidence is kept by cases.services.evidence_stage, never in formtools' file storage.
    file_storage = FileSystemStorage(location=settings.MEDIA_ROOT)
    template_name = "reporting/step.html"

    # --- keys that make one journey one report ------------------------------------
    def _key(self, name: str) -> uuid.UUID:
        extra = self.storage.extra_data
        if name not in extra:
            extra[name] = str(uuid.uuid4())
            self.storage.extra_data = extra
        return uuid.UUID(extra[name])

    def _keys_mint(self) -> None:
        """Give the journey its keys as it starts. Minted later, two clicks of "Send" at once would each mint
        their own and make two reports; minted here, every later request reads the same ones from the session."""
        extra = self.storage.extra_data
        missing = {name: str(uuid.uuid4()) for name in ("submission_key", "staging_key") if name not in extra}
        if missing:
            self.storage.extra_data = {**extra, **missing}

    def _staged_files(self):
        return staged_evidence(self._key("staging_key"))

    # --- navigation ---------------------------------------------------------------
    def get(self, request, *args, **kwargs):
        step = kwargs.get("step")
        if step is None:
            # "Start now": a fresh journey. Files staged in the one left behind can never be sent: remove them,
            # so a session holds one journey's files and the per-journey upload limits hold per session.
            if old_staging_key := self.storage.extra_data.get("staging_key"):
                evidence_staged_discard(staging_key=uuid.UUID(old_staging_key))
            self.storage.reset()
            self.storage.current_step = self.steps.first
            self._keys_mint()
            return redirect(self.get_step_url(self.steps.first))
        if step == self.done_step_name and self.storage.get_step_data(self.steps.first) is None:
            # Another click of the same "Send" finished the journey first: show its confirmation.
            if request.session.get(LAST_REPORT_SESSION_KEY):
                return redirect("reporting:confirmation")
        form_list = list(self.get_form_list())
        if step == self.steps.first:
            self._keys_mint()  # also when the journey starts at its first page without "Start now"
        if step in form_list:
            missing = next((s for s in form_list[: form_list.index(step)] if self.storage.get_step_data(s) is None), None)
            if missing is not None:
                # After sending, the back button lands here with an empty journey: show the confirmation.
                if missing == self.steps.first and request.session.get(LAST_REPORT_SESSION_KEY):
                    return redirect("reporting:confirmation")
                return redirect(self.get_step_url(missing))
            if "change" in request.GET:
                self.storage.extra_data = {**self.storage.extra_data, "returning_to_check": True}
        return super().get(request, *args, **kwargs)

    def post(self, *args, **kwargs):
        request = self.request
        current = request.POST.get(f"{self.get_prefix(request)}-current_step")
        if current == self.steps.first:
            self._keys_mint()
        if self.storage.get_step_data(self.steps.first) is None and current == "check":
            # A refresh or second click after the report was sent: never a second report.
            if request.session.get(LAST_REPORT_SESSION_KEY):
                return redirect("reporting:confirmation")
        form_list = self.get_form_list()
        if current not in form_list and request.POST.get("wizard_goto_step") not in form_list:
            # Not a step, or one this journey skips (your details after choosing anonymous; a page open
            # in another tab): formtools would raise KeyError. Back to where the journey is instead.
            here = self.steps.current if self.steps.current in form_list else self.steps.first
            return redirect(self.get_step_url(here))
        if self.steps.current == "evidence":
            if remove := request.POST.get("remove"):
                try:
                    evidence_unstage(staging_key=self._key("staging_key"), evidence_id=uuid.UUID(remove))
                except ValueError:
                    pass
                return redirect(self.get_step_url("evidence"))
            if "upload" in request.POST or request.FILES:
                # Every POST that carries files ("Upload file" or "Continue" with files chosen) stages them here.
                form = self.get_form(data=request.POST, files=request.FILES)
                if not (form.is_valid() and self._stage(form)):
                    return self.render(form)
                if "upload" in request.POST:
                    return redirect(self.get_step_url("evidence"))
                self.storage.set_step_data(self.steps.current, self.process_step(form))
                self.storage.set_step_files(self.steps.current, {})
                return self.render_next_step(form)
        if self.steps.current == "check" and is_ratelimited(
            request, group="report-submit", key="ip", rate=settings.REPORT_SUBMIT_RATE, method="POST", increment=True
        ):
            return rate_limited(request)
        return super().post(*args, **kwargs)

    def render_next_step(self, form, **kwargs):
        extra = self.storage.extra_data
        if extra.get("returning_to_check"):
            steps = [s for s in self.get_form_list() if s != "check"]
            if all(self.storage.get_step_data(s) is not None for s in steps):
                self.storage.extra_data = {**extra, "returning_to_check": False}
                return self.render_goto_step("check")
        return super().render_next_step(form, **kwargs)

    # --- forms --------------------------------------------------------------------
    def get_form_kwargs(self, step=None):
        kwargs = super().get_form_kwargs(step)
        if step == "evidence":
            kwargs["staged_count"] = self._staged_files().count()
        elif step == "other-categories":
            kwargs["main_category"] = (self.get_cleaned_data_for_step("category") or {}).get("category")
        elif step == "contact-preferences":
            kwargs["contact_details"] = self.get_cleaned_data_for_step("about-you") or {}
        elif step == "consent":
            kwargs["anonymous"] = not _gives_details(self)
        return kwargs

    def process_step_files(self, form):
        if self.steps.current == "evidence":
            return {}  # post() staged any files; formtools keeps none
        return super().process_step_files(form)

    def _stage(self, form) -> bool:
        """Stage the chosen files one by one; a refusal goes on the form (the files before it stay staged)."""
        for uploaded in form.cleaned_data["files"]:
            try:
                evidence_stage(staging_key=self._key("staging_key"), uploaded=uploaded, client_address=client_address(self.request))
            except ValidationError as exc:
                form.add_error("files", exc)
                return False
        return True

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        step = self.steps.current
        steps = list(self.get_form_list())
        index = steps.index(step)
        context["back_url"] = self.get_step_url(steps[index - 1]) if index else reverse("reporting:start")
        context["step_name"] = step
        if step == "evidence":
            context["staged_files"] = list(self._staged_files())
        if step == "check":
            context["summary"] = self._summary()
            context["staged_files"] = list(self._staged_files())
        return context

    def _summary(self):
        sections = []
        for step in self.get_form_list():
            if step in ("check", "evidence"):
                continue
            form = self.get_form(step=step, data=self.storage.get_step_data(step), files=self.storage.get_step_files(step))
            if form.is_valid():
                rows = form.summary()
                if rows:
                    sections.append({"url": self.get_step_url(step) + "?change=1", "rows": rows, "step": step})
        return sections

    def get_step_url(self, step):
        return reverse("reporting:step", kwargs={"step": step})

    # --- done ---------------------------------------------------------------------
    def done(self, form_list, form_dict=None, **kwargs):
        answers = self.get_all_cleaned_data()
        is_anonymous = not _gives_details(self)
        try:
            report = report_submit(
                data=forms.submission_from(answers, is_anonymous=is_anonymous),
                channel=Channel.ONLINE,
                submission_key=self._key("submission_key"),
                staging_key=self._key("staging_key"),
            )
        except ReportError as exc:
            messages.error(self.request, str(exc))
            return redirect(self.get_step_url("check"))
        channel = message_channel_for(report.reporter) if report.reporter else None
        due = first_contact_due_for(report)
        # An anonymous reporter can follow the case only through a link offered now (we have no way to send it).
        link = resident_link_issue(case=report.case, report=report) if report.is_anonymous else None
        self.request.session[LAST_REPORT_SESSION_KEY] = {
            "link_id": link.pk if link else None,
            "sent_at": timezone.now().isoformat(),
            "reference": report.case.reference,
            "anonymous": report.is_anonymous,
            "email": report.reporter.email if channel == "email" else "",
            "texted": report.reporter.phone if channel == "text" else "",
            "contact_method": report.reporter.get_preferred_contact_method_display() if report.reporter else "",
            # The stored deadline (none for an anonymous report), as a London date.
            "first_contact_due": due.astimezone(sla.LONDON).date().isoformat() if due else "",
        }
        return redirect("reporting:confirmation")


# How long the confirmation page is shown again (a refresh, the back button, a second click of "Send"). The session
# lasts hours: on a shared computer the next person to open the page must not be handed the reporter's email address,
# phone number or, for an anonymous reporter, their personal link to the case.
CONFIRMATION_SHOWN_FOR = timedelta(minutes=30)


def _still_shown(last: dict) -> bool:
    try:
        sent_at = datetime.fromisoformat(last.get("sent_at") or "")
    except (TypeError, ValueError):
        return False
    return timezone.is_aware(sent_at) and timezone.now() - sent_at <= CONFIRMATION_SHOWN_FOR


@never_cache
def confirmation(request):
    last = request.session.get(LAST_REPORT_SESSION_KEY)
    if last and not _still_shown(last):
        request.session.pop(LAST_REPORT_SESSION_KEY, None)
        last = None
    if not last:
        return redirect("reporting:start")
    link = anonymous_report_link(last.get("link_id")) if last.get("link_id") else None
    response = render(
        request,
        "reporting/confirmation.html",
        {"report": last, "first_contact_due": date.fromisoformat(last["first_contact_due"]) if last.get("first_contact_due") else None,
         "case_link": link_url(link) if link else ""},
    )
    if link:
        # The page shows a personal link: it must not leak through a referrer or into a search engine.
        response["Referrer-Policy"] = "strict-origin"
        response["X-Robots-Tag"] = "noindex"
    return response


# --- call-centre phone report -------------------------------------------------------

PHONE_SECTIONS = [
    ("anonymous", forms.AnonymousForm),
    ("about-you", forms.AboutYouForm),
    ("customer-group", forms.CustomerGroupForm),
    ("contact-preferences", forms.ContactPreferencesForm),
    ("category", forms.CategoryForm),
    ("other-categories", forms.OtherCategoriesForm),
    ("location", forms.LocationForm),
    ("when", forms.WhenForm),
    ("description", forms.DescriptionForm),
    ("people", forms.PeopleForm),
    ("your-part", forms.YourPartForm),
    ("support", forms.SupportForm),
    ("consent", forms.ConsentForm),
]
CALLER_SECTIONS = {"about-you", "contact-preferences"}


def _phone_forms(data=None):
    """The step forms, prefixed, worded for staff. Caller-only sections skip validation when anonymous."""
    built = {}
    anonymous = None
    for prefix, form_class in PHONE_SECTIONS:
        kwargs = {"prefix": prefix, "for_staff": True, "data": data}
        if prefix == "contact-preferences":
            about = built["about-you"]
            kwargs["contact_details"] = about.cleaned_data if data is not None and about.is_valid() else {}
        built[prefix] = form_class(**kwargs)
        if prefix == "anonymous" and data is not None and built[prefix].is_valid():
            anonymous = built[prefix].cleaned_data["anonymous"]
    return built, anonymous


@never_cache
@login_required
def phone_report(request):
    """Log a phone report on one page; show earlier reports from the same caller before saving."""
    if not can(request.user, Can.LOG_PHONE_REPORTS):
        raise Http404
    if request.method != "POST":
        form_set, _ = _phone_forms()
        return render(request, "reporting/phone_report.html", {"forms": form_set, "submission_key": uuid.uuid4()})

    try:
        submission_key = uuid.UUID(request.POST.get("submission_key", ""))
    except ValueError:
        submission_key = uuid.uuid4()
    form_set, anonymous = _phone_forms(request.POST)
    relevant = [f for name, f in form_set.items() if not (anonymous and name in CALLER_SECTIONS)]
    all_valid = all([f.is_valid() for f in relevant])  # a list, so every form shows its errors

    context = {"forms": form_set, "submission_key": submission_key, "anonymous": anonymous, "relevant_forms": relevant}
    if not all_valid:
        context["has_errors"] = True
        return render(request, "reporting/phone_report.html", context)

    answers = {}
    for f in relevant:
        answers.update(f.cleaned_data)
    about = form_set["about-you"].cleaned_data if not anonymous else {}
    matches = caller_history(
        request.user,
        phone=about.get("phone", ""),
        email=about.get("email", ""),
        postcode=about.get("reporter_postcode", "") or answers.get("postcode", ""),
        address=about.get("reporter_address", "") or answers.get("address", ""),
    )
    open_ids = open_case_ids(matches)
    link_to = request.POST.get("link_to", "")
    # Officers also see register records that may be the caller or the named perpetrator (None for the call centre).
    prompt = phone_register_prompt(request.user, caller=about, people=answers) if not link_to else None
    context["register_prompt"] = prompt
    if (matches and not link_to) or (prompt and not request.POST.get("register_checked")):
        # First save: show the caller's history and ask whether this belongs to an open case.
        context.update(matches=matches, open_case_ids=open_ids, ask_link=bool(matches))
        return render(request, "reporting/phone_report.html", context)

    existing_case = None
    if link_to and link_to != "new":
        # Only an open case from this caller's history may be linked.
        existing_case = open_case_from_history(matches, link_to)
        if existing_case is None:
            return _phone_link_problem(request, context, matches, open_ids, "Select an open case from the list, or start a new case")
    try:
        report = report_submit(
            data=forms.submission_from(answers, is_anonymous=bool(anonymous)),
            channel=Channel.PHONE,
            submission_key=submission_key,
            logged_by=request.user,
            existing_case=existing_case,
        )
    except ReportError as exc:
        return _phone_link_problem(request, context, matches, open_ids, str(exc))
    return redirect("phone:done", reference=report.case.reference)


def _phone_link_problem(request, context, matches, open_ids, message):
    context.update(
        matches=matches,
        open_case_ids=open_ids,
        ask_link=bool(matches),
        link_error=message,
        # With no earlier reports there is no link question: point at the first question instead.
        link_errors=[("link_to_new" if matches else "id_anonymous-anonymous_1", message)],
        has_errors=True,
    )
    return render(request, "reporting/phone_report.html", context)


@never_cache
@login_required
def phone_done(request, reference):
    if not can(request.user, Can.LOG_PHONE_REPORTS):
        raise Http404
    report = phone_report_for_confirmation(request.user, reference=reference)
    if report is None:
        raise Http404
    # Added to an open case (an earlier report is on it): not a new case, so no new first-contact promise;
    # a date is given only while first contact is still owed to this caller.
    added_to_case = report.case.reports.filter(received_at__lt=report.received_at).exists()
    due = first_contact_due_for(report)
    if added_to_case and report.reporter_id and not report.reporter.deadlines.open().filter(kind=DeadlineKind.FIRST_CONTACT).exists():
        due = None
    context = {
        "report": report,
        "added_to_case": added_to_case,
        "first_contact_due": due,
        "message_channel": message_channel_for(report.reporter) if report.reporter else None,
    }
    return render(request, "reporting/phone_done.html", context)
