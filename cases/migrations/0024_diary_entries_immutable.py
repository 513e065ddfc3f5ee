"""A sent diary entry's words and times never change: the database refuses it (the privacy service's erasure sets
asb.privacy_erasure for its own transaction, and is the one exception)."""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION cases_diaryentry_immutable() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('asb.privacy_erasure', true), '') = 'on' THEN
        RETURN NEW;
    END IF;
    IF NEW.happened_at IS DISTINCT FROM OLD.happened_at
       OR NEW.what_happened IS DISTINCT FROM OLD.what_happened
       OR NEW.who_involved IS DISTINCT FROM OLD.who_involved
       OR NEW.how_affected IS DISTINCT FROM OLD.how_affected
       OR NEW.received_at IS DISTINCT FROM OLD.received_at
       OR NEW.corrects_id IS DISTINCT FROM OLD.corrects_id
       OR NEW.party_id IS DISTINCT FROM OLD.party_id
       OR NEW.report_id IS DISTINCT FROM OLD.report_id THEN
        RAISE EXCEPTION 'A diary entry cannot be changed once sent: add a correction instead'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cases_diaryentry_immutable BEFORE UPDATE ON cases_diaryentry
    FOR EACH ROW EXECUTE FUNCTION cases_diaryentry_immutable();
"""

REVERSE = """
DROP TRIGGER IF EXISTS cases_diaryentry_immutable ON cases_diaryentry;
DROP FUNCTION IF EXISTS cases_diaryentry_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0023_resident_case_page")]
    operations = [migrations.RunSQL(SQL, REVERSE)]
