"""Issue 16: indexes for the case list's search of open cases and the partner agency's list of shares.

Written in SQL, like the trigram indexes of 0011, so the models' state is unchanged: they serve the planner only.
- case_open_search_idx: the full-text branch of the case list's search, for open cases only (a county's ten-year
  history holds about 20 closed cases for each open one; "open cases" searches read the open ones alone).
- share_agency_shared_idx: an agency's live shares, newest first (partners.selectors.shared_cases reads one page).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0024_diary_entries_immutable")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX case_open_search_idx ON cases_case USING gin (search_document) WHERE status <> 'closed'",
            "DROP INDEX IF EXISTS case_open_search_idx",
        ),
        migrations.RunSQL(
            "CREATE INDEX share_agency_shared_idx ON cases_caseshare (agency_id, shared_at DESC, case_id DESC) "
            "WHERE stopped_at IS NULL",
            "DROP INDEX IF EXISTS share_agency_shared_idx",
        ),
    ]
