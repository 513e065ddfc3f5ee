"""The two-command setup: demo data is idempotent, production settings pass check --deploy, clear service errors."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from cases.models import Case, Party, Report, TimelineEntry
from notifications.models import Message

ROOT = Path(__file__).resolve().parent.parent


def counts():
    return [m.objects.count() for m in (get_user_model(), Case, Report, Party, Message, TimelineEntry)]


@pytest.mark.django_db
def test_demo_data_twice_changes_nothing():
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    first = counts()
    from demo.management.commands.seed_demo import STORIES, submission_key

    # Fifteen hand-written demo cases, in every state (and a year of history: tests/demo/test_seed_demo.py).
    assert Case.objects.filter(reports__submission_key__in=[submission_key(k) for k, _ in STORIES]).count() == 15
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    assert counts() == first


def run(args, **env):
    test_only = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL", "CELERY_BROKER_URL"}
    full_env = {k: v for k, v in os.environ.items() if k not in test_only}
    full_env.update({k: v for k, v in env.items() if v is not None})
    for unset in [k for k, v in env.items() if v is None]:
        full_env.pop(unset, None)
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


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x9$k2!pQ7@vL4#nR8^wT1&zY6*bC3(dF5)gH0_jM-sE+uA=oI~eK",
    "ALLOWED_HOSTS": "asb.oadby-wigston.gov.uk",
}
SECRET_KEY_MESSAGE = "SECRET_KEY must be set to a long random value when DEBUG is off"


@pytest.mark.parametrize(
    "secret_key",
    [
        None,  # not set: the development default
        "dev-only-insecure-key-change-me-in-production-0123456789abcdefghijkl",
        "k3J9xq2LmP0vR7tY",  # random but short
        "please-change-me-to-something-long-and-random-before-going-live-0123",
        "a" * 64,
    ],
    ids=["missing", "development key", "short", "placeholder", "one character repeated"],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret_key):
    result = run(["manage.py", "check"], **{**PRODUCTION, "SECRET_KEY": secret_key})
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {SECRET_KEY_MESSAGE}" in result.stderr, result.stderr


def test_production_starts_with_a_real_secret_key():
    result = run(["manage.py", "check"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("secret_key", [None, ""], ids=["unset", "empty"])
def test_development_keeps_its_default_key(secret_key):
    result = run(["manage.py", "check"], DEBUG="true", SECRET_KEY=secret_key)
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


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/report/", 200),
        ("get", "/healthz", 200),
        ("get", "/staff/", 302),  # to the sign-in page
        ("get", "/no-such-page/", 404),
        ("post", "/staff/login/", 403),  # no CSRF token
    ],
)
def test_every_response_denies_powerful_browser_features(method, path, status):
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(path)
    assert response.status_code == status
    policy = dict(item.split("=", 1) for item in response.headers["Permissions-Policy"].split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert policy[feature] == "()"


def gunicorn(*args, **env):
    return run(["-m", "gunicorn", *args, "-c", "gunicorn.conf.py", "asb_portal.wsgi"], **env)


def test_gunicorn_config_loads_with_production_settings():
    result = gunicorn("--check-config", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_gunicorn_refuses_to_start_without_a_real_secret_key():
    result = gunicorn("--check-config", **{**PRODUCTION, "SECRET_KEY": None})
    assert result.returncode != 0
    assert SECRET_KEY_MESSAGE in result.stdout + result.stderr


def test_gunicorn_takes_its_address_and_workers_from_the_environment():
    result = gunicorn("--print-config", **PRODUCTION, PORT="8123", WEB_CONCURRENCY="3", FORWARDED_ALLOW_IPS="10.0.0.5")
    assert result.returncode == 0, result.stdout + result.stderr
    config = dict(
        (name.strip(), value.strip()) for name, _, value in (line.partition("=") for line in result.stdout.splitlines())
    )
    assert config["bind"] == "['127.0.0.1:8123']"
    assert config["workers"] == "3"
    assert config["forwarded_allow_ips"] == "['10.0.0.5']"
    assert config["accesslog"] == "-"
