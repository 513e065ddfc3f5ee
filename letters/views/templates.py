"""Managers' template editing (/staff/letters/templates/): the list, the editor with the placeholders beside it and a
PDF preview of the saved version, and each template's history. Managers only (Can.EDIT_LETTER_TEMPLATES; anyone
else: 404). The rules live in letters.services.templates."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from asb_portal.pdf import pdf_response
from cases.policy import Can, requires

from ..forms_templates import TemplateForm
from ..models import DocumentKind
from ..services.templates import (
    TemplateError,
    placeholder_rows,
    template_changes,
    template_for,
    template_preview_pdf,
    template_update,
    templates_all,
)


def _template_or_404(kind: str):
    template = template_for(kind)
    if template is None:
        raise Http404
    return template


@never_cache
@requires(Can.EDIT_LETTER_TEMPLATES)
def template_list(request):
    templates = templates_all()
    installed = {t.kind for t in templates}
    missing = [label for kind, label in DocumentKind.choices if kind not in installed]
    return render(request, "letters/templates/list.html", {"templates": templates, "missing": missing})


@never_cache
@requires(Can.EDIT_LETTER_TEMPLATES)
def template_edit(request, kind):
    template = _template_or_404(kind)
    if request.method == "GET" and request.GET.get("preview") == "pdf":
        pdf = template_preview_pdf(template=template, at=timezone.now())
        return pdf_response(pdf, f"preview-{template.kind}-v{template.version}.pdf")
    form = TemplateForm(request.POST or None, kind=template.kind,
                        initial={"heading": template.heading, "wording": template.wording, "version": template.version})
    if request.method == "POST" and form.is_valid():
        try:
            saved = template_update(template=template, heading=form.cleaned_data["heading"],
                                    wording=form.cleaned_data["wording"], actor=request.user,
                                    expected_version=form.cleaned_data["version"])
        except TemplateError as exc:
            for problem in exc.problems:
                form.add_error(None, problem)
        else:
            if saved.version == template.version:
                messages.info(request, f"Nothing changed: {saved.name} is still version {saved.version}")
            else:
                messages.success(request, f"{saved.name} saved as version {saved.version}. Documents made from now on "
                                          "use it; documents already made keep their wording.")
            return redirect("letters:templates")
    return render(request, "letters/templates/edit.html", {
        "template": template, "form": form, "placeholders": placeholder_rows(template.kind),
        "kind_label": DocumentKind(template.kind).label,
    })


@never_cache
@requires(Can.EDIT_LETTER_TEMPLATES)
def template_history(request, kind):
    template = _template_or_404(kind)
    return render(request, "letters/templates/history.html", {"template": template, "changes": template_changes(template)})
