"""Managers edit letter and notice templates: versions, refused wording, stale edits, history, who may open the pages."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pypdf
import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse

from cases.models import AgencyMember, PartnerAgency
from cases.roles import GROUP_NAMES, Role
from letters.builtin import BUILTIN, templates_install_current
from letters.models import DocumentTemplate, TemplateChange
from letters.services.templates import TemplateError, TemplateStale, template_update

from ..cases.factories import UserFactory
from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db
AT = datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def installed(db):
    templates_install_current()


@pytest.fixture
def partner_user(db):
    user = UserFactory(username="pc", password=PASSWORD)
    user.groups.add(Group.objects.get(name=GROUP_NAMES[Role.PARTNER_USER]))
    AgencyMember.objects.create(user=user, agency=PartnerAgency.objects.get(name="Leicestershire Police"))
    return user


def template(kind="cpn") -> DocumentTemplate:
    return DocumentTemplate.objects.get(kind=kind)


# --- installing -----------------------------------------------------------------------------------------------


def test_install_creates_every_builtin_template_once_with_its_first_version():
    templates_install_current()
    assert DocumentTemplate.objects.count() == len(BUILTIN)
    assert TemplateChange.objects.filter(version=1).count() == len(BUILTIN)
    assert template("cpw").heading == "Community Protection Warning"


def test_install_never_overwrites_a_manager_s_wording(manager_user):
    cpw = template("cpw")
    template_update(template=cpw, heading="CPW", wording=cpw.wording + "\n\nExtra.", actor=manager_user, expected_version=1)
    templates_install_current()
    cpw.refresh_from_db()
    assert cpw.version == 2 and cpw.wording.endswith("Extra.")


# --- the service ----------------------------------------------------------------------------------------------


def test_a_save_is_a_new_version_with_a_change_row(manager_user):
    cpn = template()
    with time_machine.travel(AT, tick=False):
        saved = template_update(template=cpn, heading="Community Protection Notice (s.43)",
                                wording=cpn.wording.replace("Issued by", "Signed by"), actor=manager_user, expected_version=1)
    assert saved.version == 2 and saved.updated_by == manager_user
    change = TemplateChange.objects.get(template=cpn, version=2)
    assert change.heading == "Community Protection Notice (s.43)" and "Signed by" in change.wording
    assert change.changed_by == manager_user and change.changed_at == AT
    assert TemplateChange.objects.get(template=cpn, version=1).wording == BUILTIN["cpn"][2]


def test_a_stale_edit_is_refused_and_saves_nothing(manager_user):
    cpn = template()
    template_update(template=cpn, heading="First", wording=cpn.wording, actor=manager_user, expected_version=1)
    with pytest.raises(TemplateStale, match="now version 2"):
        template_update(template=cpn, heading="Second", wording=cpn.wording, actor=manager_user, expected_version=1)
    with pytest.raises(TemplateStale):
        template_update(template=cpn, heading="Second", wording=cpn.wording, actor=manager_user, expected_version=None)
    cpn.refresh_from_db()
    assert cpn.heading == "First" and cpn.version == 2 and cpn.changes.count() == 2


def test_wording_that_drops_the_right_of_appeal_is_refused(manager_user):
    cpn = template()
    with pytest.raises(TemplateError) as refused:
        template_update(template=cpn, heading=cpn.heading, wording=cpn.wording.replace("{appeal_rights}", ""),
                        actor=manager_user, expected_version=1)
    assert "The wording must include {appeal_rights}: the law requires it" in refused.value.problems
    cpn.refresh_from_db()
    assert cpn.version == 1 and cpn.changes.count() == 1


def test_saving_unchanged_wording_makes_no_new_version(manager_user):
    cpn = template()
    saved = template_update(template=cpn, heading=cpn.heading, wording=cpn.wording.replace("\n", "\r\n") + "  ",
                            actor=manager_user, expected_version=1)
    assert saved.version == 1 and cpn.changes.count() == 1


# --- who may open the pages -----------------------------------------------------------------------------------


def urls():
    return [reverse("letters:templates"), reverse("letters:template_edit", args=["cpn"]),
            reverse("letters:template_history", args=["cpn"]), reverse("letters:template_edit", args=["cpn"]) + "?preview=pdf"]


def test_anonymous_people_are_sent_to_sign_in(client):
    for url in urls():
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url


@pytest.mark.parametrize("role", ["call_centre", "officer", "partner"])
def test_everyone_but_managers_gets_404(client, role, call_centre_user, officer_user, partner_user):
    client.force_login({"call_centre": call_centre_user, "officer": officer_user, "partner": partner_user}[role])
    for url in urls():
        assert client.get(url).status_code == 404, url
    assert client.post(urls()[1], {"heading": "x", "wording": "y", "version": "1"}).status_code == 404
    assert template().version == 1


def test_managers_open_every_page(client, manager_user):
    client.force_login(manager_user)
    for url in urls():
        assert client.get(url).status_code == 200, url


def test_an_unknown_kind_is_404(client, manager_user):
    client.force_login(manager_user)
    assert client.get(reverse("letters:template_edit", args=["nonsense"])).status_code == 404
    assert client.get(reverse("letters:template_history", args=["nonsense"])).status_code == 404


# --- the pages --------------------------------------------------------------------------------------------------


def test_the_list_shows_every_template_and_its_version(client, manager_user):
    client.force_login(manager_user)
    page = client.get(reverse("letters:templates")).content.decode()
    for name, _heading, _wording in BUILTIN.values():
        assert name in page
    assert reverse("letters:template_edit", args=["closure_notice"]) in page


def test_the_editor_lists_the_placeholders_with_the_required_ones_marked(client, manager_user):
    client.force_login(manager_user)
    page = client.get(reverse("letters:template_edit", args=["cpn"])).content.decode()
    assert "{appeal_rights}" in page and "The right of appeal" in page and "Required" in page
    assert "{premises}" not in page  # a closure notice's placeholder is not offered for a CPN


def test_a_manager_saves_a_new_version(client, manager_user):
    client.force_login(manager_user)
    cpn = template()
    response = client.post(reverse("letters:template_edit", args=["cpn"]),
                           {"heading": "Community Protection Notice", "wording": cpn.wording + "\n\nA new paragraph.",
                            "version": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("letters:templates")
    cpn.refresh_from_db()
    assert cpn.version == 2 and cpn.wording.endswith("A new paragraph.")
    history = client.get(reverse("letters:template_history", args=["cpn"])).content.decode()
    assert "Version 2" in history and "Version 1" in history and "A new paragraph." in history


def test_a_double_click_saves_one_version(client, manager_user):
    client.force_login(manager_user)
    data = {"heading": "CPN", "wording": template().wording + "\n\nOnce.", "version": "1"}
    first = client.post(reverse("letters:template_edit", args=["cpn"]), data)
    second = client.post(reverse("letters:template_edit", args=["cpn"]), data)
    assert first.status_code == 302
    assert second.status_code == 200 and "Someone else saved this template" in second.content.decode()
    assert template().version == 2 and template().changes.count() == 2


def test_dropping_a_required_placeholder_is_refused_with_an_error_summary(client, manager_user):
    client.force_login(manager_user)
    wording = template().wording.replace("{offence_and_penalty}", "")
    response = client.post(reverse("letters:template_edit", args=["cpn"]),
                           {"heading": "CPN", "wording": wording, "version": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "The wording must include {offence_and_penalty}: the law requires it" in page
    assert template().version == 1


def test_the_preview_is_the_saved_version_as_a_pdf(client, manager_user):
    client.force_login(manager_user)
    with time_machine.travel(AT, tick=False):
        response = client.get(reverse("letters:template_edit", args=["cpn"]) + "?preview=pdf")
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "Community Protection Notice" in text and "PREVIEW/CPN/v1" in text and "[The conduct]" in text
    assert "2 November 2026" in text


@pytest.mark.parametrize("changes", [1, 12])
def test_the_pages_make_a_fixed_number_of_queries(client, manager_user, django_assert_max_num_queries, changes):
    cpn = template()
    for n in range(changes - 1):
        cpn = template_update(template=cpn, heading=f"CPN {n}", wording=cpn.wording, actor=manager_user,
                              expected_version=cpn.version)
    client.force_login(manager_user)
    for url in urls()[:3]:
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200
