"""Chromium accepts the Permissions-Policy header whole: it logs no unrecognised feature."""

import pytest

pytestmark = pytest.mark.browser


def test_chromium_recognises_every_feature_in_the_permissions_policy(page, live_server):
    messages = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    response = page.goto(live_server.url + "/report/")
    assert response.ok
    assert "camera=()" in response.headers["permissions-policy"]
    page.wait_for_load_state("load")
    # The camera is refused to the page itself (the header took effect).
    assert page.evaluate("document.featurePolicy.allowsFeature('camera')") is False
    assert page.evaluate("document.featurePolicy.allowsFeature('fullscreen')") is True  # not listed, so allowed
    complaints = [m for m in messages if "Permissions-Policy" in m or "Permissions Policy" in m]
    assert not complaints, complaints
