"""Printed by `make run` before the processes start: where to go, how to sign in, and the demo residents' links."""

import os
import sys
from pathlib import Path

port = os.environ.get("PORT", "8000")
base = f"http://127.0.0.1:{port}"


def resident_links() -> list[tuple[str, str]]:
    """The demo residents' case page links (the token is worked out with SECRET_KEY, so they are read here)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asb_portal.settings")
    try:
        import django

        django.setup()
        from django.conf import settings

        from demo.management.commands._demo_residents import demo_resident_links
        from demo.management.commands.seed_demo import submission_key

        return [(who, base + url.removeprefix(settings.SITE_URL.rstrip("/"))) for who, url in demo_resident_links(submission_key)]
    except Exception as exc:  # noqa: BLE001 (the banner never stops `make run`)
        return [("(could not read the demo links)", str(exc))]


links = "\n".join(f"    {who}:\n      {url}" for who, url in resident_links())
print(
    f"""
  ASB Portal is starting at {base}/
    Report ASB (public):  {base}/report/
    Staff sign-in:        {base}/staff/login/
    Django admin:         {base}/admin/

  Demo logins (password for all: demo-password-2026)
    callcentre   call-centre staff: log phone reports
    officer      ASB officer
    manager      manager
    admin        superuser (Django admin)

  Residents' own case pages (their personal links, as their emails and letters give them):
{links}
  Press Ctrl+C to stop the web app, worker and beat.
"""
)
