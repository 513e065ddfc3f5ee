"""A generated document never changes once made, and its sending is recorded once: the database refuses anything
else (the privacy service's erasure sets asb.privacy_erasure for its own transaction, and is the one exception).
Also installs the built-in templates (letters.builtin)."""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION letters_document_immutable() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('asb.privacy_erasure', true), '') = 'on' THEN
        RETURN NEW;
    END IF;
    IF NEW.number IS DISTINCT FROM OLD.number
       OR NEW.case_id IS DISTINCT FROM OLD.case_id
       OR NEW.kind IS DISTINCT FROM OLD.kind
       OR NEW.template_id IS DISTINCT FROM OLD.template_id
       OR NEW.template_version IS DISTINCT FROM OLD.template_version
       OR NEW.heading IS DISTINCT FROM OLD.heading
       OR NEW.wording IS DISTINCT FROM OLD.wording
       OR NEW.recipient_id IS DISTINCT FROM OLD.recipient_id
       OR NEW.recipient_name IS DISTINCT FROM OLD.recipient_name
       OR NEW.recipient_address IS DISTINCT FROM OLD.recipient_address
       OR NEW.values IS DISTINCT FROM OLD.values
       OR NEW.pdf IS DISTINCT FROM OLD.pdf
       OR NEW.sha256 IS DISTINCT FROM OLD.sha256
       OR NEW.created_by_id IS DISTINCT FROM OLD.created_by_id
       OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        RAISE EXCEPTION 'A generated document cannot be changed: make a new one'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.sent_at IS NOT NULL AND (NEW.sent_at IS DISTINCT FROM OLD.sent_at
       OR NEW.sent_method IS DISTINCT FROM OLD.sent_method OR NEW.sent_by_id IS DISTINCT FROM OLD.sent_by_id) THEN
        RAISE EXCEPTION 'A document''s sending is recorded once'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER letters_document_immutable BEFORE UPDATE ON letters_document
    FOR EACH ROW EXECUTE FUNCTION letters_document_immutable();
"""

REVERSE = """
DROP TRIGGER IF EXISTS letters_document_immutable ON letters_document;
DROP FUNCTION IF EXISTS letters_document_immutable();
"""


def install(apps, schema_editor):
    from letters.builtin import templates_install

    templates_install(apps.get_model("letters", "DocumentTemplate"), apps.get_model("letters", "TemplateChange"))


class Migration(migrations.Migration):
    dependencies = [("letters", "0001_initial")]
    operations = [migrations.RunSQL(SQL, REVERSE), migrations.RunPython(install, migrations.RunPython.noop)]
