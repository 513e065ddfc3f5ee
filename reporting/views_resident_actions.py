"""What a resident can do from their case page (/my-case/<token>/…): add a diary entry or correct one, download
their own diary, upload evidence, ask for a call back, change how we contact them, say the problem has stopped or
has started again. Every page answers 404 to an unknown, malformed or revoked link alike."""

from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_ratelimit.exceptions import Ratelimited

from asb_portal.pdf import pdf_from_template, pdf_response
from cases.ratelimits import counter_over
from cases.selectors_diary import diary_entry_for_link, diary_for_link
from cases.services.common import CaseError
from cases.services.resident_actions import (
    ReopenWindowPassed,
    callback_request,
    contact_preference_change,
    diary_entry_add,
    problem_started_again,
    problem_stopped,
    reopen_window_ends,
    resident_evidence_add,
)

from .forms.resident import (
    CallbackForm,
    ContactPreferenceForm,
    DiaryCorrectionForm,
    DiaryEntryForm,
    EvidenceUploadForm,
    StartedAgainForm,
    StoppedForm,
)
from .views_resident import _link_or_answer

# Posts per link: enough for a busy evening's diary, not for a script filling the officer's home.


def resident_page(view):
    """Find the live link for the token (the case page's answer otherwise: 404, or 429 after too many wrong links from
    one address), limit posts per link, keep the page out of caches and the token out of Referer headers."""

    @wraps(view)
    @never_cache
    def wrapped(request, token, *args, **kwargs):
        link, answer = _link_or_answer(request, token)  # the page's own rule: misses counted per address, same 404
        if answer is not None:
            return answer
        if request.method == "POST" and counter_over(group="resident-action", key=f"link:{link.pk}", rate=settings.RESIDENT_ACTION_RATE,
                                                     increment=True):
            raise Ratelimited
        response = view(request, link, token, *args, **kwargs)
        response["Referrer-Policy"] = "strict-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


def _context(link, token, form, **extra) -> dict:
    return {"form": form, "link": link, "case": link.case, "token": token,
            "case_url": reverse("resident:case", kwargs={"token": token}), **extra}


def _done(request, link, token, *, title: str, body: str, next_steps: list[str] = ()):
    return render(request, "reporting/resident/done.html",
                  _context(link, token, None, title=title, body=body, next_steps=next_steps))


def _refused(form, exc, *, file_field: str | None = None) -> None:
    """A service's refusal, on the form: a file check on the files field, anything else above the form."""
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            form.add_error(file_field, message)
    else:
        form.add_error(None, str(exc))


def _files(request) -> list:
    return request.FILES.getlist("files")


def _diary_page(request, link, token, *, form_class, template, original=None):
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            diary_entry_add(link=link, happened_at=d["happened_at"], what_happened=d["what_happened"],
                            who_involved=d["who_involved"], how_affected=d["how_affected"], files=d["files"],
                            submission_key=d["submission_key"], corrects=original)
        except (CaseError, ValidationError) as exc:
            _refused(form, exc, file_field="files")
        else:
            return _done(request, link, token, title="Diary entry sent" if original is None else "Correction sent",
                         body="Your officer can see it now. We have recorded when we received it.",
                         next_steps=["You cannot change an entry once it is sent. If something in it is wrong, send a correction."])
    return render(request, template, _context(link, token, form, original=original))


@resident_page
def diary_add(request, link, token):
    return _diary_page(request, link, token, form_class=DiaryEntryForm, template="reporting/resident/diary_add.html")


@resident_page
def diary_correct(request, link, token, entry_id):
    original = diary_entry_for_link(link, entry_id)
    if original is None:
        raise Http404
    return _diary_page(request, link, token, form_class=DiaryCorrectionForm, template="reporting/resident/diary_correct.html",
                       original=original)


@resident_page
def diary_pdf(request, link, token):
    entries = diary_for_link(link)
    context = {"case": link.case, "entries": entries, "printed_at": timezone.now(), "council_name": settings.COUNCIL_NAME}
    pdf = pdf_from_template("reporting/resident/pdf/diary.html", context)
    return pdf_response(pdf, f"diary-{link.case.reference}.pdf")


@resident_page
def evidence_add(request, link, token):
    form = EvidenceUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            resident_evidence_add(link=link, files=d["files"], description=d["description"], submission_key=d["submission_key"])
        except (CaseError, ValidationError) as exc:
            _refused(form, exc, file_field="files")
        else:
            return _done(request, link, token, title="Files sent", body="Your officer can see them now.")
    return render(request, "reporting/resident/evidence.html", _context(link, token, form))


@resident_page
def callback(request, link, token):
    form = CallbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            callback_request(link=link, phone=d["phone"], best_time=d["best_time"], submission_key=d["submission_key"])
        except CaseError as exc:
            _refused(form, exc)
        else:
            return _done(request, link, token, title="We will call you back",
                         body="Your officer will call you. If you are in danger, call 999.")
    return render(request, "reporting/resident/callback.html", _context(link, token, form))


@resident_page
def contact_preference(request, link, token):
    if link.party_id is None:
        raise Http404  # an anonymous reporter has no contact details with us
    form = ContactPreferenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            contact_preference_change(link=link, method=d["method"], email=d["email"], phone=d["phone"],
                                      address=d["address"], postcode=d["postcode"], submission_key=d["submission_key"])
        except CaseError as exc:
            _refused(form, exc)
        else:
            return _done(request, link, token, title="Contact preference saved",
                         body="We will use it from now on. Your officer has been told.")
    return render(request, "reporting/resident/contact_preference.html", _context(link, token, form))


@resident_page
def stopped(request, link, token):
    if not link.case.is_open:
        return render(request, "reporting/resident/stopped.html", _context(link, token, None, closed=True))
    form = StoppedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            problem_stopped(link=link, details=d["details"], submission_key=d["submission_key"])
        except CaseError as exc:
            _refused(form, exc)
        else:
            return _done(request, link, token, title="Thank you for telling us",
                         body="Your officer will be in touch before deciding whether to close your case. Your case stays open until then.")
    return render(request, "reporting/resident/stopped.html", _context(link, token, form))


@resident_page
def started_again(request, link, token):
    case = link.case
    ends = reopen_window_ends(case)
    if ends is None or timezone.now() > ends:
        # An open case needs a diary entry; a case closed too long ago, a new report.
        return render(request, "reporting/resident/started_again.html",
                      _context(link, token, None, still_open=ends is None, too_late=ends is not None,
                               reopen_days=settings.RESIDENT_REOPEN_DAYS))
    form = StartedAgainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            problem_started_again(link=link, details=d["details"], submission_key=d["submission_key"])
        except ReopenWindowPassed:
            return render(request, "reporting/resident/started_again.html",
                          _context(link, token, None, too_late=True, reopen_days=settings.RESIDENT_REOPEN_DAYS))
        except CaseError as exc:
            _refused(form, exc)
        else:
            return _done(request, link, token, title="Thank you for telling us",
                         body="Your officer will decide whether to reopen your case and will contact you.",
                         next_steps=["If you are in danger, call 999."])
    return render(request, "reporting/resident/started_again.html",
                  _context(link, token, form, ends=ends, reopen_days=settings.RESIDENT_REOPEN_DAYS))
