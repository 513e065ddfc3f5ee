"""The two-command setup: demo data is idempotent, production settings pass check --deploy, clear service errors."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from cases.models import Case, Party, Report, TimelineEntry
from notifications.models import Message

ROOT = Path(__file__).resolve().parent.parent


def counts():
    return [m.objects.count() for m in (get_user_model(), Case, Report, Party, Message, TimelineEntry)]


@pytest.mark.django_db
def test_demo_data_twice_changes_nothing():
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    first = counts()
    assert first[1] == 15  # fifteen demo cases, in every state
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    assert counts() == first


def run(args, **env):
    test_only = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL", "CELERY_BROKER_URL"}
    full_env = {k: v for k, v in os.environ.items() if k not in test_only}
    full_env.update(env)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120)


def test_production_settings_pass_check_deploy():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="false",
        SECRET_KEY="x9$k2!pQ7@vL4#nR8^wT1&zY6*bC3(dF5)gH0_jM-sE+uA=oI~eK",
        ALLOWED_HOSTS="asb.oadby-wigston.gov.uk",
        EMAIL_URL="smtp+tls://asb:secret@smtp.example.org:587",
        SECURE_HSTS_PRELOAD="true",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_development_defaults_fail_check_deploy():
    # The insecure development defaults must never pass as production.
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], DEBUG="true")
    assert result.returncode != 0


def test_unreachable_services_are_named_in_one_line_with_the_start_command():
    result = run(["scripts/check_services.py"], DATABASE_URL="postgres://u:p@127.0.0.1:1/x", REDIS_URL="redis://127.0.0.1:1/0")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("PostgreSQL is not reachable at 127.0.0.1:1") and "pg_ctlcluster" in lines[0]
    assert lines[1].startswith("Redis is not reachable at 127.0.0.1:1") and "redis-server" in lines[1]


def test_council_colour_must_be_a_hex_colour():
    result = run(["manage.py", "check"], COUNCIL_COLOUR="red;}</style><script>alert(1)</script>")
    assert result.returncode != 0
    assert "COUNCIL_COLOUR" in result.stderr
