"""The category page (hints, the "or" before Other) and "Is anything else happening?" (issue 10)."""

import re
import uuid

import pytest

from cases.models import Category, Channel, Report, TimelineEntry, TimelineKind
from cases.services import report_submit

from ..cases.factories import report_submission
from .helpers import answers, post_step, step_url, walk
from .test_phone_report import URL as PHONE_URL
from .test_phone_report import phone_form

pytestmark = pytest.mark.django_db


def pk(slug):
    return Category.objects.get(slug=slug).pk


def test_category_page_shows_each_hint_and_the_or_divider_before_other(client):
    walk(client, answers(), until="category")
    page = client.get(step_url("category")).content.decode()
    hinted = Category.objects.filter(is_active=True).exclude(hint="")
    assert hinted.count() >= 5
    for category in hinted:
        assert re.search(r'class="govuk-hint govuk-radios__hint">\s*' + re.escape(category.hint), page), category.name
    # The hint is tied to its radio for screen readers.
    assert re.search(r'aria-describedby="id_category-category_1_hint"', page)
    labels = re.findall(r'govuk-radios__label"[^>]*>\s*([^<]+?)\s*</label>', page)
    assert labels[-1] == "Other" and len(labels) == Category.objects.filter(is_active=True).count()
    divider = page.index('<div class="govuk-radios__divider">or</div>')
    assert page.index(f'value="{pk("hate-motivated-incident")}"') < divider < page.index(f'value="{pk("other")}"')
    assert page.count("govuk-radios__divider") == 1


def test_anything_else_page_offers_the_other_categories_and_the_report_keeps_them(client, officer_user):
    walk(client, answers(), until="other-categories")
    page = client.get(step_url("other-categories")).content.decode()
    assert "Is anything else happening?" in page and 'type="checkbox"' in page
    assert f'value="{pk("noise")}"' not in page  # the main problem is not offered again
    assert f'value="{pk("intimidation-or-harassment")}"' in page
    also = {"other-categories-other_categories": [pk("intimidation-or-harassment"), pk("fireworks")]}
    walk(client, answers(**{"other-categories": also}), until="check")
    check = client.get(step_url("check")).content.decode()
    assert re.search(r"Also happening</dt>\s*<dd[^>]*>Fireworks, Intimidation or harassment|"
                     r"Also happening</dt>\s*<dd[^>]*>Intimidation or harassment, Fireworks", check)
    assert f'href="{step_url("other-categories")}?change=1"' in check
    walk(client, answers(**{"other-categories": also}))
    report = Report.objects.get()
    assert report.category.slug == "noise"
    assert sorted(report.other_categories.values_list("slug", flat=True)) == ["fireworks", "intimidation-or-harassment"]
    entry = TimelineEntry.objects.get(case=report.case, kind=TimelineKind.REPORT)
    assert "Also happening: " in entry.body and "Intimidation or harassment" in entry.body
    client.force_login(officer_user)
    case_page = client.get(f"/staff/cases/{report.case.reference}/").content.decode()
    assert re.search(r"Also happening</dt>\s*<dd[^>]*>Fireworks, Intimidation or harassment<", case_page)


def test_nothing_else_happening_is_the_default(client):
    walk(client, answers(), until="check")
    check = client.get(step_url("check")).content.decode()
    assert re.search(r"Also happening</dt>\s*<dd[^>]*>Nothing else", check)
    walk(client, answers())
    assert Report.objects.get().other_categories.count() == 0


def test_a_category_that_does_not_exist_is_refused(client):
    walk(client, answers(), until="other-categories")
    page = post_step(client, "other-categories", {"other-categories-other_categories": ["999999"]}).content.decode()
    assert "There is a problem" in page and "Select from the list" in page


def test_changing_the_main_problem_to_one_also_ticked_still_sends_and_counts_it_once(client):
    also = {"other-categories-other_categories": [pk("intimidation-or-harassment"), pk("fireworks")]}
    walk(client, answers(**{"other-categories": also}), until="check")
    # The resident goes back and makes fireworks the main problem; the earlier "also fireworks" stays stored.
    assert post_step(client, "category", {"category-category": pk("fireworks")}).status_code == 302
    check = client.get(step_url("check")).content.decode()
    assert re.search(r"Also happening</dt>\s*<dd[^>]*>Intimidation or harassment<", check)
    response = post_step(client, "check", {})
    while response.status_code == 302 and response["Location"].startswith("/report/step/"):
        response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"] == "/report/confirmation/"
    report = Report.objects.get()
    assert report.category.slug == "fireworks"
    assert list(report.other_categories.values_list("slug", flat=True)) == ["intimidation-or-harassment"]


def test_phone_report_records_what_else_is_happening(client, call_centre_user):
    client.force_login(call_centre_user)
    page = client.get(PHONE_URL).content.decode()
    assert "Anything else happening" in page and 'govuk-radios__divider">or<' in page
    data = phone_form(**{
        "about-you-phone": "07700 900999", "about-you-email": "new@example.com", "location-address": "9 Other Road",
        # The main category ticked again as well is simply not counted twice.
        "other-categories-other_categories": [pk("intimidation-or-harassment"), pk("noise")],
    })
    assert client.post(PHONE_URL, data).status_code == 302
    report = Report.objects.get()
    assert list(report.other_categories.values_list("slug", flat=True)) == ["intimidation-or-harassment"]


def test_service_keeps_other_categories_without_the_main_one():
    data = report_submission(other_categories=[Category.objects.get(slug="noise"), Category.objects.get(slug="begging")])
    report = report_submit(data=data, channel=Channel.ONLINE, submission_key=uuid.uuid4())
    assert list(report.other_categories.values_list("slug", flat=True)) == ["begging"]
