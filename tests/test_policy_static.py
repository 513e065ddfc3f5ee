"""Views, exports, forms and filters never query case-file models directly (issue 11, "One access policy").

Every list, page, export and form starts from the access policy's querysets (`cases.policy`) or from
selectors and services that do, so a page and its export cannot disagree about who sees what. This
test reads the source (no database) and fails on `<Model>.objects…`, `<Model>._default_manager…` or
`get_object_or_404(<Model>, …)` / `get_list_or_404(<Model>, …)` for a case-file model, outside a short
allow-list that says why.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Apps whose screens are checked: every Python package at the top of the project but these.
NOT_APPS = {"demo", "tests", "bench", "scripts", "node_modules", "static", "templates", "var", "frontend"}

CASE_FILE_MODELS = frozenset({
    # cases
    "Case", "Party", "Report", "Evidence", "TimelineEntry", "Contact", "RiskAssessment", "Action", "Breach",
    "Referral", "Deadline", "DeadlineAlert", "CaseShare", "SharedPerson", "AccessLogEntry", "AgencyMember",
    "SharingAgreement",
    # surveys
    "Invitation", "Response", "CommentAction", "OptOut",
    # notifications
    "Message",
})
MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})
SHORTCUTS = frozenset({"get_object_or_404", "get_list_or_404"})

# (module path relative to the project, model) -> why this module may query it directly.
ALLOW_LIST: dict[tuple[str, str], str] = {
    ("cases/filters.py", "Case"): (
        "the case list's search builds a UNION of indexed subqueries of ids; the FilterSet only ever filters a "
        "queryset that already started from cases_visible_to(), so the subquery narrows it and cannot widen it"
    ),
    ("cases/filters.py", "Party"): (
        "the same search: people's names, phones and addresses as a subquery of case ids. The case list is the team's "
        "(Can.WORK_CASES), who see everyone; a partner search would have to use parties_visible_to instead"
    ),
    ("cases/filters.py", "Report"): "the channel filter: an EXISTS over reports of a case already in the policy's queryset",
}


def screen_modules() -> list[Path]:
    """Every views, exports, forms and filters module of the project's apps (forms_sharing.py counts as forms)."""
    found = []
    for app in sorted(p for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists() and p.name not in NOT_APPS):
        for pattern in ("views.py", "views/*.py", "views_*.py", "exports.py", "exports/*.py", "forms.py", "forms/*.py",
                        "forms_*.py", "filters.py"):
            found.extend(sorted(app.glob(pattern)))
    return found


def _model_name(node: ast.AST, aliases: dict[str, str]) -> str | None:
    """`Case`, `CaseModel` (imported as) or `models.Case`: the case-file model named, if any."""
    if isinstance(node, ast.Name):
        name = aliases.get(node.id, node.id)
    elif isinstance(node, ast.Attribute):
        name = node.attr
    else:
        return None
    return name if name in CASE_FILE_MODELS else None


def direct_queries(source: str) -> list[tuple[int, str, str]]:
    """(line, model, what) for each direct query of a case-file model in `source`."""
    tree = ast.parse(source)
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS:
            model = _model_name(node.value, aliases)
            if model:
                found.append((node.lineno, model, f"{model}.{node.attr}"))
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if called in SHORTCUTS:
                model = _model_name(node.args[0], aliases)
                if model:
                    found.append((node.lineno, model, f"{called}({model}, …)"))
    return sorted(found)


def violations() -> list[str]:
    problems = []
    for path in screen_modules():
        relative = path.relative_to(ROOT).as_posix()
        for line, model, what in direct_queries(path.read_text()):
            if (relative, model) not in ALLOW_LIST:
                problems.append(f"{relative}:{line}: {what} (go through cases.policy or a selector/service)")
    return problems


def test_no_view_export_form_or_filter_queries_a_case_file_model_directly():
    assert violations() == []


def test_the_check_covers_every_app_that_has_screens():
    modules = {p.relative_to(ROOT).as_posix() for p in screen_modules()}
    for expected in ("cases/views/casework.py", "cases/forms.py", "cases/filters.py", "dashboard/exports.py",
                     "reporting/views.py", "surveys/views.py", "surveys/forms.py", "asb_portal/views.py"):
        assert expected in modules
    assert not any(m.startswith(("demo/", "tests/", "bench/")) for m in modules)


def test_every_allow_list_entry_is_still_needed_and_says_why():
    used = set()
    for path in screen_modules():
        relative = path.relative_to(ROOT).as_posix()
        used |= {(relative, model) for _, model, _ in direct_queries(path.read_text())}
    assert set(ALLOW_LIST) <= used, f"allow-list entries no longer needed: {sorted(set(ALLOW_LIST) - used)}"
    assert all(len(why) > 20 for why in ALLOW_LIST.values())


@pytest.mark.parametrize(
    "snippet, expected",
    [
        ("from cases.models import Case\ndef v(request):\n    return Case.objects.all()\n", [(3, "Case", "Case.objects")]),
        ("from cases.models import Case as CaseModel\nCaseModel.objects.filter(pk=1)\n", [(2, "Case", "Case.objects")]),
        ("from cases import models\nmodels.Evidence._default_manager.get(pk=1)\n", [(2, "Evidence", "Evidence._default_manager")]),
        ("from django.shortcuts import get_object_or_404\nget_object_or_404(Party, pk=1, case=c)\n",
         [(2, "Party", "get_object_or_404(Party, …)")]),
        ("get_list_or_404(Response, invitation__case=c)\n", [(1, "Response", "get_list_or_404(Response, …)")]),
        ("from surveys.models import Invitation\nx = Invitation.objects\n", [(2, "Invitation", "Invitation.objects")]),
        # Through the policy: nothing to report.
        ("from cases.policy import cases_visible_to, object_or_404\nobject_or_404(cases_visible_to(u), pk=1)\n", []),
        ("from cases.models import Category\nCategory.objects.all()\n", []),  # reference data, not a case file
        ("get_object_or_404(Category, pk=1)\n", []),
    ],
)
def test_the_checker_reports_direct_queries_and_nothing_else(snippet, expected):
    assert direct_queries(snippet) == expected


def test_the_check_fails_on_a_module_that_queries_a_case_directly(tmp_path, monkeypatch):
    """The real test above can fail: a views module that reads Case.objects is reported."""
    app = tmp_path / "someapp"
    (app / "views").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "views" / "__init__.py").write_text("")
    (app / "views" / "pages.py").write_text("from cases.models import Case\n\ndef page(request):\n    return Case.objects.all()\n")
    (app / "exports.py").write_text("def rows(user):\n    return cases_visible_to(user)\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    assert violations() == ["someapp/views/pages.py:4: Case.objects (go through cases.policy or a selector/service)"]
