"""The built-in templates' wording (installed by migration 0002; managers edit it afterwards)."""

BUILTIN: dict = {}


def templates_install(DocumentTemplate, TemplateChange) -> None:
    """Create each built-in template that is missing (never overwrites a manager's wording)."""
    from django.utils import timezone

    for kind, (name, heading, wording) in BUILTIN.items():
        template, created = DocumentTemplate.objects.get_or_create(
            kind=kind, defaults={"name": name, "heading": heading, "wording": wording, "version": 1})
        if created:
            TemplateChange.objects.create(template=template, version=1, heading=heading, wording=wording,
                                          changed_at=timezone.now())
