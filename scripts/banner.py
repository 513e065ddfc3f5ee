"""Printed by `make run` before the processes start: where to go and how to sign in."""

import os

port = os.environ.get("PORT", "8000")
print(
    f"""
  ASB Portal is starting at http://127.0.0.1:{port}/
    Report ASB (public):  http://127.0.0.1:{port}/report/
    Staff sign-in:        http://127.0.0.1:{port}/staff/login/
    Django admin:         http://127.0.0.1:{port}/admin/

  Demo logins (password for all: demo-password-2026)
    callcentre   call-centre staff: log phone reports
    officer      ASB officer
    manager      manager
    admin        superuser (Django admin)
  Press Ctrl+C to stop the web app, worker and beat.
"""
)
