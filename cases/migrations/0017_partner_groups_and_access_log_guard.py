"""Partner roles as groups, agency kinds for the reference agencies, and the access log made
append-only in the database: UPDATE is refused always, DELETE unless the retention purge says so
(`SET LOCAL asb.access_log_purge = 'on'` inside its transaction; see cases.services.access_log).
TRUNCATE is not guarded: the application never issues it, and the test runner empties tables with it."""

from django.db import migrations

GUARD = """
CREATE OR REPLACE FUNCTION cases_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('asb.access_log_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the access log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cases_accesslog_append_only BEFORE UPDATE OR DELETE ON cases_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION cases_accesslog_append_only();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS cases_accesslog_append_only ON cases_accesslogentry;
DROP FUNCTION IF EXISTS cases_accesslog_append_only();
"""


def forwards(apps, schema_editor):
    from cases.reference_data import partner_reference_ensure

    partner_reference_ensure(apps)


class Migration(migrations.Migration):
    dependencies = [("cases", "0016_partner_sharing"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RunSQL(GUARD, UNGUARD),
    ]
