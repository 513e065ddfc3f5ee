"""No input to the template editor makes a server error, and a refused edit saves nothing (hypothesis)."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from letters.builtin import BUILTIN, templates_install_current
from letters.models import DocumentTemplate

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None)
NASTY = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", "\x00", "{", "}", "{}", "{{ x }}", "{% load static %}", "{appeal_rights", "{nonsense}",
                     "{premises}", "x" * 25_000, "😀" * 400, "<script>", "-1", "99999999999", "1" * 5000, "{conduct}\x00"]),
    st.integers().map(str),
)
FIELDS = ["heading", "wording", "version"]


@given(replaced=st.dictionaries(st.sampled_from(FIELDS), NASTY, max_size=3),
       dropped=st.sets(st.sampled_from(FIELDS), max_size=2), kind=st.sampled_from(list(BUILTIN) + ["nonsense"]))
@FUZZ
def test_the_editor_never_fails_with_a_server_error(client, manager_user, replaced, dropped, kind):
    templates_install_current()
    client.force_login(manager_user)
    before = {t.kind: (t.version, t.wording) for t in DocumentTemplate.objects.all()}
    base = {"heading": "A heading", "wording": BUILTIN.get(kind, BUILTIN["cpn"])[2], "version": "999"}
    data = {k: v for k, v in {**base, **replaced}.items() if k not in dropped}
    response = client.post(reverse("letters:template_edit", args=[kind]), data)
    assert response.status_code in (200, 302, 404)
    if response.status_code != 302:
        assert {t.kind: (t.version, t.wording) for t in DocumentTemplate.objects.all()} == before
