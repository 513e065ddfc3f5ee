"""The page's own scripts run under its Content-Security-Policy (no bypass_csp in this test)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.mark.browser_context_args(bypass_csp=False)
def test_page_scripts_run_under_the_content_security_policy(page, live_server):
    messages, errors = [], []

    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda e: errors.append(str(e)))

    response = page.goto(live_server.url + "/report/")
    assert response.ok
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self' 'nonce-" in csp, csp
    page.wait_for_load_state("load")

    # The inline nonce'd script ran, and the module script (init.js + govuk-frontend) started the components.
    expect(page.locator("body")).to_have_class(re.compile(r"(^|\s)js-enabled\s+govuk-frontend-supported(\s|$)"))
    start = page.get_by_role("button", name="Start now")
    expect(start).to_have_attribute("data-govuk-button-init", "")

    # Nothing was blocked and nothing failed.
    assert not errors, errors
    blocked = [m for m in messages if "Content Security Policy" in m or m.startswith("error")]
    assert not blocked, blocked

    # And the policy is enforced (this context does not bypass it): an inline script without the nonce is refused.
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate(
            """() => { const s = document.createElement('script'); s.textContent = 'window.__injected = true';
                       document.head.appendChild(s); }"""
        )
    assert page.evaluate("window.__injected === undefined")
