"""Browser tests: Debian's Chromium through pytest-playwright, against pytest-django's live server.

Every page a test reaches goes through `visit()` / `submit()` / `click_to()` of the
`browser_page` fixture below, and each of those runs axe-core (WCAG 2.0/2.1/2.2 A and AA, and
best-practice) on the page it lands on, so no page escapes the check. The test fails on any
violation, listed with rule id, impact, help and the first targets. Nothing is let through.

These tests use pytest-django's live_server (so the database is truncated after each one) and
the static files built by `npm ci && bash frontend/build.sh` (part of `make test`).
"""

import os

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from django.conf import settings  # noqa: E402
from playwright.sync_api import Page, expect  # noqa: E402

from tests.conftest import PASSWORD  # noqa: E402

AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Playwright waits this long (ms) for an element or a navigation before failing: pages here
# come from a local server, so anything slower is a hang worth failing fast on.
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    # Every test in tests/browser is a browser test (`-m "not browser"` skips them all).
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (make test runs scripts/ensure_chromium.sh)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    # bypass_csp lets axe.min.js be injected past the page's nonce-based CSP; the one test that
    # checks the CSP itself opts out with @pytest.mark.browser_context_args(bypass_csp=False).
    return {**browser_context_args, "base_url": live_server.url, "bypass_csp": True, "locale": "en-GB"}


@pytest.fixture
def context(context):
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


@pytest.fixture(scope="session")
def _axe_source():
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` in the project root")
    return AXE_JS.read_text()


_AXE_RUN_JS = """async (tags) => {
    const r = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
    return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map(n => ({target: n.target, failureSummary: n.failureSummary, html: n.html}))}));
}"""


def _format_violations(url, violations):
    lines = [f"axe-core found {len(violations)} violation(s) on {url}:"]
    for v in violations:
        targets = [
            " ".join(t if isinstance(t, str) else ">>>".join(t) for t in node["target"]) for node in v["nodes"][:3]
        ]
        more = f" (+{len(v['nodes']) - 3} more)" if len(v["nodes"]) > 3 else ""
        lines.append(f"  - {v['id']} [{v['impact']}] {v['help']}: {', '.join(targets)}{more}")
        first = v["nodes"][0]
        summary = " ".join((first.get("failureSummary") or "").split())
        if summary:
            lines.append(f"      {summary[:300]}")
        lines.append(f"      {first.get('html', '')[:200]}")
        lines.append(f"      {v['helpUrl']}")
    return "\n".join(lines)


class Browser:
    """A page plus the navigation helpers that axe-check wherever they land."""

    def __init__(self, page: Page, axe_source: str, live_server_url: str):
        self.page = page
        self.base_url = live_server_url
        self._axe_source = axe_source
        self.checked = []  # URL of every page axe checked

    # --- accessibility ---------------------------------------------------------------
    def check_axe(self):
        """Run axe-core on the page as it is now; fail the test on any violation."""
        page = self.page
        page.wait_for_load_state("load")
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(content=self._axe_source)
        violations = page.evaluate(_AXE_RUN_JS, AXE_TAGS)
        self.checked.append(page.url)
        if violations:
            pytest.fail(_format_violations(page.url, violations), pytrace=False)

    # --- navigation (each one ends with an axe check) ----------------------------------
    def visit(self, path):
        response = self.page.goto(path)
        assert response is not None and response.ok, f"GET {path} answered {response and response.status}"
        self.check_axe()
        return response

    def click_to(self, locator, *, expect_path=None):
        """Click a link or button that loads a new page, wait for it, axe-check it."""
        with self.page.expect_navigation():
            locator.click()
        if expect_path is not None:
            expect(self.page).to_have_url(self.base_url + expect_path)
        self.check_axe()

    def submit(self, name="Continue", *, expect_path=None):
        """Press the form's button by its accessible name and axe-check the page that comes back."""
        self.click_to(self.page.get_by_role("button", name=name, exact=True), expect_path=expect_path)

    # --- staff -----------------------------------------------------------------------
    def sign_in(self, user, password=PASSWORD, *, next_path=None):
        """Sign in through the real login page, as staff do."""
        self.visit("/staff/login/" + (f"?next={next_path}" if next_path else ""))
        self.page.get_by_label("Username", exact=True).fill(user.username)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.submit("Sign in")


@pytest.fixture
def browser_page(page, _axe_source, live_server):
    """The test's page with axe-checking navigation helpers: `b.visit()`, `b.submit()`, `b.click_to()`."""
    # axe-core is put into every document as it loads (cheaper than sending 500 kB per check);
    # the context bypasses the CSP, so the page's policy does not block it.
    page.add_init_script(path=str(AXE_JS))
    return Browser(page, _axe_source, live_server.url)


@pytest.fixture
def evidence_storage(settings, tmp_path):
    """Uploaded evidence goes to the test's own temporary directory, not var/evidence."""
    storages = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path / "evidence")}},
    }
    settings.STORAGES = storages
    settings.MEDIA_ROOT = str(tmp_path / "evidence")
    return tmp_path / "evidence"
