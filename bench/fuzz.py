"""Fuzz every public and staff URL with hostile input through Django's full request stack; report every 5xx.

    .venv/bin/python bench/fuzz.py [--requests 2000] [--seed 1] [--database asb_fuzz] [--redis-db 12]
    cd /tmp/base && /work/main/.venv/bin/python /work/main/bench/fuzz.py --project /tmp/base --database asb_fuzz_base

Seeded and bounded: --requests requests in all (discovery and walking the online journey count too). It uses a
database of its own (created if missing, migrated, `seed_demo` loaded, survey invitations swept), a Redis
database of its own, rate limits off (so hostile input reaches the views), Celery eager and in-memory email,
DEBUG off (production error handling). Each page is fetched as the role that uses it and its forms are parsed
from the HTML, so every form on the site is covered without a hand-kept list. Requests: GET with hostile query
strings, hostile path segments, POSTs of each form with hostile values (huge numbers, NUL, very long strings,
unicode, wrong types, missing fields, duplicate keys, unknown keys), the online journey at each step (unknown
step names, skipped steps after choosing anonymous), the call-centre phone report, uploads with hostile file
names, and malformed bodies. Prints the count per status code, every 5xx with its URL and exception (grouped
by cause), and the longest log message (no user value may be logged unbounded). Exit status 1 if any 5xx.
"""

import argparse
import logging
import os
import random
import sys
import tempfile
import traceback
from collections import Counter, defaultdict
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlencode

DEFAULT_PROJECT = Path(__file__).resolve().parent.parent
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")

HOSTILE = [
    "", " ", "\x00", "a\x00b", "\x00" * 5, "0", "-1", "1.5", "1e309", "NaN", "inf", "-0",
    "99999999999999999999", "9999999999", "-99999999999999999999", "1" * 5000, "９", "٣", "²",
    "x" * 300, "x" * 5001, "y" * 100_000, "😀" * 500, "\u202eevil", "e\u0301", "\ufeff", "\r\n\t",
    "<script>alert(1)</script>", "' OR '1'='1", "%00", "%", "../../../etc/passwd", "null", "[]", "{}", "true",
    "ASB-2026-00001", "2026-02-30", "9999-12-31", "0001-01-01", "10000-01-01", "-5-01-01", "31/12/9999",
    "name@example.com", "07700 900123", "LE18 1AA", "25:61", "23:59:60", "12:00:00.000000001",
]
DATE_PARTS = ["99999999999999999999", "9999999999", "0", "-1", "32", "13", "29", "31", "1", "02", "1e3", "٣", "9999",
              "10000", "0001", "1900", "1899", "2100", "12345678901234567890123", "\x00", "", " 1 ", "1" * 5000]
STEP_NAMES = ["category", "location", "when", "description", "people", "your-part", "support", "evidence", "anonymous",
              "about-you", "customer-group", "contact-preferences", "consent", "check"]
QUERY_NAMES = ["q", "page", "change", "next", "party", "method", "period", "start", "end", "officer", "category",
               "channel", "risk_level", "status", "sort", "received_after", "received_before", "o", "step", "x"]
BAD_NAMES = ["a" * 1000 + ".png", "a." + "b" * 1000, "😀" * 300 + ".jpg", "../../etc/passwd", "..", ".png", "x\x00.png",
             "con.png", "a" * 250 + ".pdf", " ", "photo.png" + " " * 500, "\u202egnp.exe"]


def settings_env(args) -> None:
    """Production-like settings and resources of the fuzzer's own; then Django."""
    os.environ["DATABASE_URL"] = f"postgres://asb_portal:asb_portal@127.0.0.1:5432/{args.database}"
    os.environ["REDIS_URL"] = os.environ["CELERY_BROKER_URL"] = f"redis://127.0.0.1:6379/{args.redis_db}"
    os.environ["DEBUG"] = "false"
    os.environ["SECRET_KEY"] = "fuzz-only-" + "k" * 60  # production settings refuse the development key
    os.environ["ALLOWED_HOSTS"] = "testserver"
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "RATELIMIT_ENABLE"):
        os.environ[name] = "false"
    os.environ["STATICFILES_STORAGE"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    os.environ["EMAIL_URL"] = "memorymail://"
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="asb-fuzz-media-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "asb_portal.settings"


def database_ensure(name: str, *, fresh: bool) -> None:
    import psycopg2

    if "fuzz" not in name:
        sys.exit(f"Refusing database {name!r}: its name must contain 'fuzz'")
    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="asb_portal", password="asb_portal", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        if fresh:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


class LogWatch(logging.Handler):
    """Keeps the longest message logged: no user-supplied value may reach the logs unbounded."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.longest = (0, "", "")

    def emit(self, record):
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is not the fuzzer's business
            return
        if record.exc_info and record.exc_info[1] is not None:
            text += " " + str(record.exc_info[1])
        if len(text) > self.longest[0]:
            self.longest = (len(text), record.name, text[:160])


class Forms(HTMLParser):
    """Every <form> on a page: method, action, and each field's candidate values."""

    def __init__(self):
        super().__init__()
        self.forms, self._select = [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"method": (a.get("method") or "get").lower(), "action": a.get("action") or "",
                               "fields": defaultdict(list), "files": set()})
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = a.get("name")
        if tag in ("input", "button") and name:
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                self.forms[-1]["files"].add(name)
            elif kind in ("radio", "checkbox", "submit") or tag == "button":
                fields[name].append(a.get("value") or "on")
            else:
                fields[name].append(a.get("value") or "")
        elif tag == "textarea" and name:
            fields[name].append("")
        elif tag == "select" and name:
            self._select = name
            fields[name]
        elif tag == "option" and self._select:
            fields[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def page_forms(html: str) -> list[dict]:
    parser = Forms()
    parser.feed(html)
    return parser.forms


class Fuzzer:
    def __init__(self, args):
        from django.test import Client
        from django.utils import timezone

        self.args, self.rng, self.budget = args, random.Random(args.seed), args.requests
        self.Client = Client
        self.made = 0
        self.statuses = Counter()
        self.failures = []  # (method, url, status, exception summary, where)
        self.bare_errors = []  # 4xx answered without the GOV.UK page (Django's bare "Bad Request (400)")
        past = timezone.localdate() - timedelta(days=3)
        self.past = past
        self.clients = {}
        self.pages = []  # (role, url, forms)

    # --- requests ---------------------------------------------------------------------
    def client(self, role):
        if role not in self.clients:
            from django.contrib.auth import get_user_model

            c = self.Client()
            if role != "anon":
                c.force_login(get_user_model().objects.get(username=role))
            self.clients[role] = c
        return self.clients[role]

    def request(self, client, method, url, data=None, **extra):
        if self.made >= self.budget:
            raise StopIteration
        self.made += 1
        try:
            if method == "raw":
                body, content_type = data
                response = client.generic("POST", url, body, content_type=content_type)
            else:
                response = getattr(client, method)(url, data or {}, **extra)
        except Exception as exc:  # noqa: BLE001 - the client re-raises the view's exception: that is the finding
            self.fail(method, url, 500, exc)
            return None
        self.statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.fail(method, url, response.status_code, None)
        elif response.status_code >= 400 and b"govuk-template" not in (response.content if not response.streaming else b""):
            self.bare_errors.append((method.upper(), url[:160], response.status_code))
        return response

    def fail(self, method, url, status, exc):
        if exc is not None:
            self.statuses[500] += 1
            frames = [f for f in traceback.extract_tb(exc.__traceback__)
                      if str(self.args.project) in f.filename and "/.venv/" not in f.filename]
            where = f"{Path(frames[-1].filename).relative_to(self.args.project)}:{frames[-1].lineno}" if frames else "library"
            last = traceback.extract_tb(exc.__traceback__)[-1]
            summary = f"{type(exc).__name__}: {str(exc)[:140]!r} (raised in {Path(last.filename).name}:{last.lineno})"
        else:
            where, summary = "response", f"status {status}"
        self.failures.append((method.upper(), url[:160], status, summary, where))

    # --- values ------------------------------------------------------------------------
    def hostile(self, name=""):
        if name.endswith(("_0", "_1", "_2")) and self.rng.random() < 0.7:
            return self.rng.choice(DATE_PARTS)
        return self.rng.choice(HOSTILE)

    def valid_value(self, name, candidates):
        options = [c for c in candidates if c not in ("", "on")] or candidates
        if options and options[0] not in ("",):
            return self.rng.choice(options) if len(options) > 1 and self.rng.random() < 0.5 else options[0]
        if name.endswith("_0"):
            return str(self.past.day)
        if name.endswith("_1"):
            return str(self.past.month)
        if name.endswith("_2"):
            return str(self.past.year)
        for key, value in [("email", "person@example.com"), ("phone", "07700 900123"), ("postcode", "LE18 1AA"),
                           ("time", "10:30"), ("into", "ASB-2026-00001"), ("username", "officer"),
                           ("password", "demo-password-2026")]:
            if key in name:
                return value
        return "Some words"

    def mutate(self, base: dict, names: list[str]) -> dict:
        data = {k: (list(v) if isinstance(v, list) else v) for k, v in base.items()}
        names = names or list(data) or ["x"]
        how = self.rng.random()
        if how < 0.45:
            for name in self.rng.sample(names, k=min(len(names), self.rng.randint(1, 3))):
                data[name] = self.hostile(name)
        elif how < 0.55:
            data = {k: self.hostile(k) for k in data}
        elif how < 0.7:
            for name in self.rng.sample(names, k=min(len(names), self.rng.randint(1, max(1, len(names))))):
                data.pop(name, None)
        elif how < 0.8:
            name = self.rng.choice(names)
            data[name] = [data.get(name) if not isinstance(data.get(name), list) else "x", self.hostile(name)]
        elif how < 0.9:
            data[self.rng.choice(["a" * 500, "\x00", "x-0", "😀", names[0] + "_9", "version"])] = self.hostile()
            data[self.rng.choice(names)] = self.hostile()
        else:
            data = {}
        return data

    # --- discovery ---------------------------------------------------------------------
    def targets(self):
        from cases.models import Action, Case, Evidence, Party, Referral
        from surveys.models import Invitation, Response
        from surveys.services import invitation_token

        open_case = (Case.objects.filter(status__in=["new", "open", "monitoring"], actions__isnull=False, referrals__isnull=False)
                     .order_by("id").first() or Case.objects.order_by("id").first())
        closed = Case.objects.filter(status="closed").order_by("id").first() or open_case
        ref = open_case.reference
        party = Party.objects.filter(case=open_case).order_by("id").first()
        action = Action.objects.filter(case=open_case).order_by("id").first()
        referral = Referral.objects.filter(case=open_case).order_by("id").first()
        invitation = Invitation.objects.filter(responded_at__isnull=True).order_by("id").first()
        phone_invitation = Invitation.objects.filter(responded_at__isnull=True, channel="phone").order_by("id").first() or invitation
        response = Response.objects.order_by("id").first()
        evidence = Evidence.objects.order_by("uploaded_at").first()
        token = invitation_token(invitation) if invitation else "no-token"
        self.ids = {"ref": ref, "closed": closed.reference, "party": party.pk if party else 1,
                    "action": action.pk if action else 1, "referral": referral.pk if referral else 1,
                    "invitation": phone_invitation.pk if phone_invitation else 1, "response": response.pk if response else 1,
                    "evidence": str(evidence.pk) if evidence else "00000000-0000-0000-0000-000000000000", "token": token}
        c = f"/staff/cases/{ref}/"
        self.get_targets = [
            ("anon", "/"), ("anon", "/report/"), ("anon", "/report/begin/"), ("anon", "/report/confirmation/"),
            ("anon", "/privacy/"), ("anon", "/accessibility/"), ("anon", "/healthz"), ("anon", "/staff/login/"),
            ("anon", f"/survey/{token}/"), ("anon", f"/survey/{token}/opt-out/"), ("anon", "/survey/thanks/"),
            *[("anon", f"/report/step/{s}/") for s in STEP_NAMES],
            ("callcentre", "/staff/"), ("callcentre", "/staff/lookup/"), ("callcentre", "/staff/phone-report/"),
            ("callcentre", f"/staff/phone-report/{ref}/"), ("callcentre", "/staff/surveys/phone/"),
            ("callcentre", f"/staff/surveys/phone/{self.ids['invitation']}/"),
            ("officer", "/staff/"), ("officer", "/staff/cases/"), ("officer", c), ("officer", f"/staff/cases/{closed.reference}/"),
            *[("officer", c + p) for p in ("contact/", "risk/", "people/add/", f"people/{self.ids['party']}/", "actions/add/",
                                           f"actions/{self.ids['action']}/", f"actions/{self.ids['action']}/breach/",
                                           "referrals/add/", f"referrals/{self.ids['referral']}/", "note/", "evidence/",
                                           "status/", "close/", "merge/", "edit/")],
            ("officer", f"/staff/surveys/case/{ref}/"), ("officer", f"/staff/evidence/{self.ids['evidence']}/"),
            ("manager", c + "assign/"), ("manager", "/staff/closure-days/"), ("manager", "/dashboard/"),
            ("manager", "/dashboard/export/first-contact.csv"), ("manager", "/staff/surveys/"),
            ("manager", f"/staff/surveys/comments/{self.ids['response']}/"),
        ]
        # Paths with a parameter, for hostile segments: (role, template).
        self.path_targets = [
            ("officer", "/staff/cases/{}/"), ("officer", "/staff/cases/{}/contact/"), ("officer", "/staff/cases/{}/people/1/"),
            ("callcentre", "/staff/phone-report/{}/"), ("anon", "/survey/{}/"), ("anon", "/survey/{}/opt-out/"),
            ("anon", "/report/step/{}/"), ("manager", "/dashboard/export/{}.csv"), ("officer", "/staff/evidence/{}/"),
            ("officer", "/staff/surveys/case/{}/"), ("callcentre", "/staff/surveys/phone/{}/"), ("manager", "/staff/{}/"),
        ]

    def discover(self):
        # Forms a page shows only when there is something to act on (no closure day in the demo data yet).
        self.pages.append(("manager", "/staff/closure-days/remove/",
                           {"method": "post", "action": "", "fields": {"day": [self.past.isoformat()]}, "files": set()}))
        for role, url in self.get_targets:
            if "/report/" in url or "/healthz" in url or ".csv" in url or "/evidence/" in url:
                continue
            response = self.request(self.client(role), "get", url)
            if response is None or response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for form in page_forms(response.content.decode()):
                if "logout" in form["action"]:
                    continue
                action = form["action"] or url
                self.pages.append((role, action if action.startswith("/") else url, form))

    # --- scenarios ---------------------------------------------------------------------
    def fuzz_get(self):
        role, url = self.rng.choice(self.get_targets)
        names = self.rng.sample(QUERY_NAMES, k=self.rng.randint(1, 4))
        query = [(n, self.hostile(n)) for n in names]
        if self.rng.random() < 0.2:
            query.append((names[0], self.hostile()))  # the same key twice
        self.request(self.client(role), "get", url + "?" + urlencode(query))

    def fuzz_path(self):
        role, template = self.rng.choice(self.path_targets)
        segment = self.rng.choice(["\x00", "ASB-2026-0\x0001", "a\x00", "x" * 3000, "😀", "..", "%", "-1", "9" * 30,
                                   self.ids["ref"] + "\x00", "00000000-0000-0000-0000-00000000000g", "ASB-9999-99999"])
        self.request(self.client(role), "get" if self.rng.random() < 0.7 else "post", template.format(quote(segment, safe="")))

    def fuzz_form(self):
        role, url, form = self.rng.choice(self.pages)
        base = {name: self.valid_value(name, values) for name, values in form["fields"].items()}
        data = self.mutate(base, list(form["fields"]))
        if form["method"] == "get":
            pairs = [(k, x) for k, v in data.items() for x in (v if isinstance(v, list) else [v])]
            self.request(self.client(role), "get", url.split("?")[0] + "?" + urlencode(pairs))
        else:
            self.request(self.client(role), "post", url, data)

    def wizard_at(self, step, *, anonymous=False):
        """A fresh resident's session, walked with valid answers up to `step`."""
        client = self.Client()
        answers = self.online_answers(anonymous=anonymous)
        response = self.request(client, "get", "/report/begin/")
        url = response["Location"] if response is not None and response.status_code == 302 else "/report/step/category/"
        for _ in range(len(STEP_NAMES) + 1):
            current = url.rstrip("/").split("/")[-1]
            if current == step or not url.startswith("/report/step/"):
                break
            response = self.request(client, "post", url, {"online_report_wizard-current_step": current, **answers.get(current, {})})
            if response is None or response.status_code != 302:
                break
            url = response["Location"]
        return client

    def online_answers(self, *, anonymous=False):
        from cases.models import Category

        noise = Category.objects.filter(is_active=True).order_by("id").values_list("pk", flat=True).first()
        d = self.past
        return {
            "category": {"category-category": noise},
            "location": {"location-address": "14 Bell Street", "location-postcode": "le18 1aa"},
            "when": {"when-is_ongoing": "no", "when-incident_date_0": d.day, "when-incident_date_1": d.month,
                     "when-incident_date_2": d.year, "when-incident_time": "22:15"},
            "description": {"description-description": "Loud music until 3am", "description-impact": "I cannot sleep"},
            "people": {"people-perpetrator_known": "named", "people-perpetrator_name": "Flat 3"},
            "your-part": {"your-part-reporter_role": "victim"},
            "support": {"support-hate_motivated": "no"},
            "evidence": {},
            "anonymous": {"anonymous-anonymous": "yes" if anonymous else "no"},
            "about-you": {"about-you-full_name": "Margaret Ellis", "about-you-email": "margaret@example.com",
                          "about-you-phone": "07700 900123"},
            "customer-group": {"customer-group-customer_group": "council_tenant"},
            "contact-preferences": {"contact-preferences-preferred_contact_method": "email", "contact-preferences-best_times": ["evening"]},
            "consent": {"consent-consent_to_share": "yes"},
            "check": {},
        }

    def fuzz_wizard(self):
        anonymous = self.rng.random() < 0.25
        step = self.rng.choice(STEP_NAMES)
        client = self.wizard_at(step, anonymous=anonymous)
        answers = self.online_answers(anonymous=anonymous)
        for _ in range(self.rng.randint(1, 4)):
            base = {"online_report_wizard-current_step": step, **answers.get(step, {})}
            roll = self.rng.random()
            if roll < 0.2:
                data = {**base, "online_report_wizard-current_step": self.rng.choice(
                    [*STEP_NAMES, "sent", "nope", "x" * 5000, "\x00", "", "about-you", "contact-preferences"])}
            elif roll < 0.3:
                data = {**base, "wizard_goto_step": self.rng.choice([*STEP_NAMES, "x" * 500, "\x00"])}
            elif roll < 0.4 and step == "evidence":
                data = {**base, "remove": self.hostile()}
            else:
                data = self.mutate(base, [k for k in base if not k.endswith("current_step")] or list(base))
            post_to = step if self.rng.random() < 0.85 else self.rng.choice([*STEP_NAMES, "sent"])
            self.request(client, "post", f"/report/step/{post_to}/", data)

    def phone_data(self):
        answers = self.online_answers()
        data = {k: v for step, fields in answers.items() if step not in ("evidence", "check") for k, v in fields.items()}
        data["submission_key"] = "6b2f0f5e-9c1d-4d36-9e7a-0d3c4b9a1e99"
        data["link_to"] = self.rng.choice(["", "new"])
        return data

    def fuzz_phone(self):
        base = self.phone_data()
        data = self.mutate(base, list(base))
        if self.rng.random() < 0.3:
            data["link_to"] = self.hostile()
        self.request(self.client("callcentre"), "post", "/staff/phone-report/", data)

    def fuzz_upload(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        name = self.rng.choice(BAD_NAMES)
        content = PNG if self.rng.random() < 0.7 else self.rng.choice([b"", b"\x00" * 10, b"%PDF-1.4\n" + b"x" * 100])
        upload = SimpleUploadedFile("evidence.png", content, content_type="image/png")
        upload._name = name  # past UploadedFile's own trimming: the server must cope with whatever a client sends
        if self.rng.random() < 0.5:
            client = self.wizard_at("evidence")
            data = {"online_report_wizard-current_step": "evidence", "evidence-files": upload}
            if self.rng.random() < 0.5:
                data["upload"] = "1"
            self.request(client, "post", "/report/step/evidence/", data)
        else:
            self.request(self.client("officer"), "post", f"/staff/cases/{self.ids['ref']}/evidence/",
                         {"file": upload, "description": self.hostile(), "version": ""})

    def fuzz_raw(self):
        role, url = self.rng.choice([("anon", "/report/step/category/"), ("callcentre", "/staff/phone-report/"),
                                     ("officer", f"/staff/cases/{self.ids['ref']}/evidence/"), ("anon", "/staff/login/"),
                                     ("officer", f"/staff/cases/{self.ids['ref']}/note/")])
        body, content_type = self.rng.choice([
            (b"--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1", "multipart/form-data; boundary=xyz"),
            (b"garbage", "multipart/form-data"), (b"garbage", "multipart/form-data; boundary="),
            (b"a=%00&b=%ff%fe&c", "application/x-www-form-urlencoded"), (b'{"a": 1}', "application/json"),
            (b"\xff\xfe\x00\x00" * 100, "application/x-www-form-urlencoded; charset=utf-32"),
            (b"a=1", "application/x-www-form-urlencoded; charset=no-such-charset"),
        ])
        self.request(self.client(role), "raw", url, (body, content_type))

    def fuzz_cookies(self):
        """Hostile cookies and headers on an ordinary page (a fresh client, so the role clients keep their sessions)."""
        client = self.Client()
        client.cookies["sessionid"] = self.rng.choice(["\x00" * 8, "abcdefgh\x00", "x" * 5000, "\xff" * 10, "' OR 1=1"])
        client.cookies["csrftoken"] = self.rng.choice(["\x00", "x" * 5000, ""])
        role_url = self.rng.choice(self.get_targets)[1]
        headers = {"HTTP_X_FORWARDED_FOR": self.hostile(), "HTTP_REFERER": self.hostile(), "HTTP_USER_AGENT": "x" * 3000}
        self.request(client, self.rng.choice(["get", "post"]), role_url, {}, **headers)

    def run(self):
        self.targets()
        self.discover()
        scenarios = [(self.fuzz_get, 22), (self.fuzz_path, 10), (self.fuzz_form, 33), (self.fuzz_wizard, 14),
                     (self.fuzz_phone, 10), (self.fuzz_upload, 6), (self.fuzz_raw, 4), (self.fuzz_cookies, 2)]
        funcs, weights = zip(*scenarios, strict=True)
        try:
            while self.made < self.budget:
                self.rng.choices(funcs, weights)[0]()
        except StopIteration:
            pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default="asb_fuzz")
    parser.add_argument("--redis-db", type=int, default=12)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first (same data each run)")
    parser.add_argument("--project", type=Path, default=DEFAULT_PROJECT, help="the checkout to fuzz (default: this one)")
    args = parser.parse_args()
    args.project = args.project.resolve()
    sys.path.insert(0, str(args.project))
    os.chdir(args.project)
    settings_env(args)
    database_ensure(args.database, fresh=args.fresh)

    import django

    django.setup()
    from django.core.management import call_command

    from asb_portal.celery import app as celery_app

    celery_app.conf.task_always_eager = True
    call_command("migrate", verbosity=0)
    call_command("seed_demo")
    from surveys.services import surveys_sweep

    surveys_sweep()

    # Mute the console (the report below is the output); watch every record emitted at the configured levels.
    # The watch takes over the replaced handlers' filters, so it sees what they would have written.
    watch = LogWatch()
    for name in ("", *logging.root.manager.loggerDict):
        log = logging.getLogger(name)
        if log.handlers:
            for handler in log.handlers:
                for f in handler.filters:
                    if f not in watch.filters and "RequireDebug" not in type(f).__name__:
                        watch.addFilter(f)
            log.handlers = [watch]

    fuzzer = Fuzzer(args)
    fuzzer.run()

    print(f"\nRequests made: {fuzzer.made} (seed {args.seed}, database {args.database}, project {args.project})")
    print("Status codes: " + ", ".join(f"{code}: {n}" for code, n in sorted(fuzzer.statuses.items())))
    print(f"5xx: {len(fuzzer.failures)}")
    causes = defaultdict(list)
    for method, url, status, summary, where in fuzzer.failures:
        print(f"  {status} {method} {url!r}\n      {summary} at {where}")
        causes[(where, summary.split(":")[0])].append(url)
    if causes:
        print(f"\nDistinct causes ({len(causes)}):")
        for (where, kind), urls in sorted(causes.items(), key=lambda kv: -len(kv[1])):
            print(f"  {len(urls):4d} x {kind} at {where}  e.g. {urls[0][:100]!r}")
    bare = Counter(status for _, _, status in fuzzer.bare_errors)
    print(f"\n4xx without the GOV.UK error page: {len(fuzzer.bare_errors)} " + str(dict(bare)))
    for method, url, status in fuzzer.bare_errors[:10]:
        print(f"  {status} {method} {url!r}")
    length, logger, text = watch.longest
    print(f"\nLongest log message: {length} characters (logger {logger!r}): {text!r}")
    return 1 if fuzzer.failures else 0


if __name__ == "__main__":
    sys.exit(main())
