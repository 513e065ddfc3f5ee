"""Managers' editing of letter and notice templates: each save is a new version with a TemplateChange row, refused
when the wording would drop a placeholder the law requires or when someone else saved first. Also the reads the
template screens and document generation share (templates are council configuration, not case-file records)."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..fields import (
    PLACEHOLDERS,
    kind_placeholders,
    required_fields,
    values_for,
    wording_must_include,
    wording_problems,
)
from ..models import DocumentKind, DocumentTemplate, TemplateChange
from ..render import document_pdf

HEADING_MAX = 150
WORDING_MAX = 20_000


class TemplateError(Exception):
    """A template change refused, with the reasons in words a manager can act on."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


class TemplateStale(TemplateError):
    """Someone else saved the template after this edit began."""


def wording_normalise(text: str) -> str:
    """Wording as stored: Unix line ends, no NUL characters (Postgres refuses them), no trailing spaces."""
    text = (text or "").replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def template_update(*, template: DocumentTemplate, heading: str, wording: str, actor,
                    expected_version: int | None) -> DocumentTemplate:
    """Save new wording for `template` as the next version (with a TemplateChange row). Refuses a stale edit (the
    version the manager started from is no longer current) and wording with problems (letters.fields)."""
    heading = " ".join((heading or "").replace("\x00", "").split())
    wording = wording_normalise(wording)
    with transaction.atomic():
        current = DocumentTemplate.objects.select_for_update().get(pk=template.pk)
        if expected_version is None or expected_version != current.version:
            raise TemplateStale(
                f"Someone else saved this template (it is now version {current.version}) after you started: "
                "your changes were not saved. Reload the page to see their wording, then make your change again.")
        problems = wording_problems(current.kind, heading, wording)
        if len(heading) > HEADING_MAX:
            problems.append(f"The heading must be {HEADING_MAX} characters or fewer")
        if len(wording) > WORDING_MAX:
            problems.append(f"The wording must be {WORDING_MAX:,} characters or fewer")
        if problems:
            raise TemplateError(problems)
        if heading == current.heading and wording == current.wording:
            return current  # nothing changed: no new version
        now = timezone.now()
        current.heading, current.wording = heading, wording
        current.version += 1
        current.updated_by = actor
        current.save(update_fields=["heading", "wording", "version", "updated_by", "updated_at"])
        TemplateChange.objects.create(template=current, version=current.version, heading=heading, wording=wording,
                                      changed_by=actor, changed_at=now)
    return current


# --- Reads ------------------------------------------------------------------------------------------------------


def templates_all() -> list[DocumentTemplate]:
    """Every template, in the order of DocumentKind, with who last changed it."""
    order = {kind: position for position, kind in enumerate(DocumentKind.values)}
    return sorted(DocumentTemplate.objects.select_related("updated_by"), key=lambda t: order.get(t.kind, len(order)))


def template_for(kind: str) -> DocumentTemplate | None:
    """The active template of `kind`, or None (unknown kind, not installed, or switched off)."""
    if kind not in DocumentKind.values:
        return None
    return DocumentTemplate.objects.filter(kind=kind, is_active=True).select_related("updated_by").first()


def template_changes(template: DocumentTemplate) -> list[TemplateChange]:
    """Every saved version of `template`, newest first, with who saved it."""
    return list(template.changes.select_related("changed_by").order_by("-version"))


@dataclass(frozen=True)
class PlaceholderRow:
    name: str
    label: str
    hint: str
    required: bool  # the law (or the letter) needs it in the wording
    entered: bool  # typed by the officer when the document is made


def placeholder_rows(kind: str) -> list[PlaceholderRow]:
    """The placeholders a template of `kind` may use, for the list beside the editor: required ones first."""
    must = {spec.name for spec in wording_must_include(kind)}
    value_required = {spec.name for spec in required_fields(kind)}
    rows = [PlaceholderRow(name=spec.name, label=spec.label, hint=spec.hint,
                           required=spec.name in must or spec.name in value_required, entered=spec.entered)
            for spec in kind_placeholders(kind)]
    return sorted(rows, key=lambda row: not row.required)


def sample_values(kind: str, *, at: datetime) -> dict[str, str]:
    """Values for a preview: the fixed wording from settings, and "[The conduct]"-style samples for the rest."""
    values = values_for(case=None, kind=kind, recipient=None, entered={}, at=at)
    samples = {"case_reference": "ASB-2026-00001", "recipient_name": "[The person it is to]",
               "recipient_address": "[1 Sample Street, Oadby, LE2 5AA]"}
    for name, spec in PLACEHOLDERS.items():
        if not values.get(name):
            values[name] = samples.get(name, f"[{spec.label}]")
    return values


def template_preview_pdf(*, template: DocumentTemplate, at: datetime) -> bytes:
    """The saved version of `template` as a PDF, filled with sample values."""
    return document_pdf(heading=template.heading, wording=template.wording, values=sample_values(template.kind, at=at),
                        number=f"PREVIEW/{template.kind.upper()}/v{template.version}")
