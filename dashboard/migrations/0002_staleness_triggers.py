"""Triggers that mark a built month stale when a fact it counts changes, whatever the write path (services, admin,
merges, erasure, bulk updates): deadlines, reports, a case's officer/category/risk, survey responses.

Only months that are built are marked (dashboard_builtmonth), so the current month is never marked and writes to it
never touch the stale table. Inserts and deletes are statement-level (transition tables: one call per bulk load or
cascade); updates are row-level, limited to the columns the figures read and to rows where one of them changed."""

from django.db import migrations

KINDS = "('first_contact', 'victim_update')"

FORWARD = f"""
CREATE FUNCTION dashboard_london_month(ts timestamptz) RETURNS date LANGUAGE sql STABLE AS
$$ SELECT date_trunc('month', ts AT TIME ZONE 'Europe/London')::date $$;

CREATE FUNCTION dashboard_mark(months date[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO dashboard_stalemonth (month, marked_at)
    SELECT DISTINCT b.month, now() FROM dashboard_builtmonth b WHERE b.month = ANY(months)
    ON CONFLICT (month) DO NOTHING
$$;

-- Every month in which these cases have a fact the figures count (a change of officer, category, risk or channel
-- set moves all of them). Indexed lookups by case: deadline_case_idx, the reports' and invitations' case indexes.
CREATE FUNCTION dashboard_case_months(ids bigint[]) RETURNS date[] LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT m), '{{}}') FROM (
        SELECT dashboard_london_month(d.due_at) AS m FROM cases_deadline d WHERE d.case_id = ANY(ids) AND d.kind IN {KINDS}
        UNION SELECT dashboard_london_month(d.met_at) FROM cases_deadline d
            WHERE d.case_id = ANY(ids) AND d.kind = 'victim_update' AND d.met_at IS NOT NULL
        UNION SELECT dashboard_london_month(r.received_at) FROM cases_report r WHERE r.case_id = ANY(ids)
        UNION SELECT dashboard_london_month(s.submitted_at) FROM surveys_response s
            JOIN surveys_invitation i ON i.id = s.invitation_id WHERE i.case_id = ANY(ids)
    ) months
$$;

-- Deadlines: inserted or deleted in bulk (loads, cascades from a deleted case).
CREATE FUNCTION dashboard_deadline_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM dashboard_builtmonth) THEN RETURN NULL; END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM dashboard_mark(array(SELECT dashboard_london_month(due_at) FROM new_rows WHERE kind IN {KINDS}
                                     UNION SELECT dashboard_london_month(met_at) FROM new_rows
                                     WHERE kind IN {KINDS} AND met_at IS NOT NULL));
    ELSE
        PERFORM dashboard_mark(array(SELECT dashboard_london_month(due_at) FROM old_rows WHERE kind IN {KINDS}
                                     UNION SELECT dashboard_london_month(met_at) FROM old_rows
                                     WHERE kind IN {KINDS} AND met_at IS NOT NULL));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER dashboard_deadline_insert AFTER INSERT ON cases_deadline
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dashboard_deadline_rows();
CREATE TRIGGER dashboard_deadline_delete AFTER DELETE ON cases_deadline
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION dashboard_deadline_rows();

CREATE FUNCTION dashboard_deadline_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.kind IN {KINDS} OR NEW.kind IN {KINDS} THEN
        PERFORM dashboard_mark(ARRAY[dashboard_london_month(OLD.due_at), dashboard_london_month(NEW.due_at),
                                     dashboard_london_month(OLD.met_at), dashboard_london_month(NEW.met_at)]);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER dashboard_deadline_update
    AFTER UPDATE OF due_at, met_at, starts_at, cancelled_at, kind, interval_days, case_id ON cases_deadline
    FOR EACH ROW WHEN (OLD.due_at IS DISTINCT FROM NEW.due_at OR OLD.met_at IS DISTINCT FROM NEW.met_at
        OR OLD.starts_at IS DISTINCT FROM NEW.starts_at OR OLD.cancelled_at IS DISTINCT FROM NEW.cancelled_at
        OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.interval_days IS DISTINCT FROM NEW.interval_days
        OR OLD.case_id IS DISTINCT FROM NEW.case_id)
    EXECUTE FUNCTION dashboard_deadline_change();

-- Reports: their own month, and every month of a case whose set of channels changed (the channel filter
-- reads "the case has a report by this channel").
CREATE FUNCTION dashboard_report_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM dashboard_builtmonth) THEN RETURN NULL; END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM dashboard_mark(array(SELECT dashboard_london_month(received_at) FROM new_rows));
        PERFORM dashboard_mark(dashboard_case_months(array(
            SELECT DISTINCT n.case_id FROM new_rows n WHERE NOT EXISTS (
                SELECT 1 FROM cases_report r WHERE r.case_id = n.case_id AND r.channel = n.channel
                AND r.id NOT IN (SELECT id FROM new_rows)))));
    ELSE
        PERFORM dashboard_mark(array(SELECT dashboard_london_month(received_at) FROM old_rows));
        PERFORM dashboard_mark(dashboard_case_months(array(
            SELECT DISTINCT o.case_id FROM old_rows o WHERE NOT EXISTS (
                SELECT 1 FROM cases_report r WHERE r.case_id = o.case_id AND r.channel = o.channel))));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER dashboard_report_insert AFTER INSERT ON cases_report
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dashboard_report_rows();
CREATE TRIGGER dashboard_report_delete AFTER DELETE ON cases_report
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION dashboard_report_rows();

CREATE FUNCTION dashboard_report_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM dashboard_mark(ARRAY[dashboard_london_month(OLD.received_at), dashboard_london_month(NEW.received_at)]);
    IF OLD.case_id IS DISTINCT FROM NEW.case_id OR OLD.channel IS DISTINCT FROM NEW.channel THEN
        PERFORM dashboard_mark(dashboard_case_months(ARRAY[OLD.case_id, NEW.case_id]));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER dashboard_report_update AFTER UPDATE OF received_at, channel, case_id ON cases_report
    FOR EACH ROW WHEN (OLD.received_at IS DISTINCT FROM NEW.received_at OR OLD.channel IS DISTINCT FROM NEW.channel
        OR OLD.case_id IS DISTINCT FROM NEW.case_id)
    EXECUTE FUNCTION dashboard_report_change();

-- A case's officer, category or risk: every month in which it has facts.
CREATE FUNCTION dashboard_case_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM dashboard_mark(dashboard_case_months(ARRAY[NEW.id]));
    RETURN NULL;
END $$;
CREATE TRIGGER dashboard_case_update AFTER UPDATE OF officer_id, category_id, risk_level ON cases_case
    FOR EACH ROW WHEN (OLD.officer_id IS DISTINCT FROM NEW.officer_id OR OLD.category_id IS DISTINCT FROM NEW.category_id
        OR OLD.risk_level IS DISTINCT FROM NEW.risk_level)
    EXECUTE FUNCTION dashboard_case_change();

-- Survey responses (filed by their own officer and channel, and their case's category and risk).
CREATE FUNCTION dashboard_response_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM dashboard_builtmonth) THEN RETURN NULL; END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM dashboard_mark(array(SELECT dashboard_london_month(submitted_at) FROM new_rows));
    ELSE
        PERFORM dashboard_mark(array(SELECT dashboard_london_month(submitted_at) FROM old_rows));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER dashboard_response_insert AFTER INSERT ON surveys_response
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dashboard_response_rows();
CREATE TRIGGER dashboard_response_delete AFTER DELETE ON surveys_response
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION dashboard_response_rows();

CREATE FUNCTION dashboard_response_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM dashboard_mark(ARRAY[dashboard_london_month(OLD.submitted_at), dashboard_london_month(NEW.submitted_at)]);
    RETURN NULL;
END $$;
CREATE TRIGGER dashboard_response_update
    AFTER UPDATE OF submitted_at, officer_id, report_channel, overall, invitation_id ON surveys_response
    FOR EACH ROW WHEN (OLD.submitted_at IS DISTINCT FROM NEW.submitted_at OR OLD.officer_id IS DISTINCT FROM NEW.officer_id
        OR OLD.report_channel IS DISTINCT FROM NEW.report_channel OR OLD.overall IS DISTINCT FROM NEW.overall
        OR OLD.invitation_id IS DISTINCT FROM NEW.invitation_id)
    EXECUTE FUNCTION dashboard_response_change();

-- An invitation moved to another case (a merge): its response's month.
CREATE FUNCTION dashboard_invitation_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM dashboard_mark(array(SELECT dashboard_london_month(s.submitted_at) FROM surveys_response s
                                 WHERE s.invitation_id = NEW.id));
    RETURN NULL;
END $$;
CREATE TRIGGER dashboard_invitation_update AFTER UPDATE OF case_id ON surveys_invitation
    FOR EACH ROW WHEN (OLD.case_id IS DISTINCT FROM NEW.case_id) EXECUTE FUNCTION dashboard_invitation_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS dashboard_invitation_update ON surveys_invitation;
DROP TRIGGER IF EXISTS dashboard_response_update ON surveys_response;
DROP TRIGGER IF EXISTS dashboard_response_delete ON surveys_response;
DROP TRIGGER IF EXISTS dashboard_response_insert ON surveys_response;
DROP TRIGGER IF EXISTS dashboard_case_update ON cases_case;
DROP TRIGGER IF EXISTS dashboard_report_update ON cases_report;
DROP TRIGGER IF EXISTS dashboard_report_delete ON cases_report;
DROP TRIGGER IF EXISTS dashboard_report_insert ON cases_report;
DROP TRIGGER IF EXISTS dashboard_deadline_update ON cases_deadline;
DROP TRIGGER IF EXISTS dashboard_deadline_delete ON cases_deadline;
DROP TRIGGER IF EXISTS dashboard_deadline_insert ON cases_deadline;
DROP FUNCTION IF EXISTS dashboard_invitation_change(), dashboard_response_change(), dashboard_response_rows(),
    dashboard_case_change(), dashboard_report_change(), dashboard_report_rows(), dashboard_deadline_change(),
    dashboard_deadline_rows(), dashboard_case_months(bigint[]), dashboard_mark(date[]), dashboard_london_month(timestamptz);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_initial"),
        ("cases", "0024_diary_entries_immutable"),
        ("surveys", "0001_initial"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
