import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from .test_query_counts import worked_case
pytestmark = pytest.mark.django_db

def test_print(client, officer_user):
    client.force_login(officer_user)
    c = worked_case(1, officer_user)
    client.get(f"/staff/cases/{c.reference}/")
    with CaptureQueriesContext(connection) as cap:
        client.get(f"/staff/cases/{c.reference}/")
    for q in cap.captured_queries:
        print(q["sql"][:300])
        print('---')
