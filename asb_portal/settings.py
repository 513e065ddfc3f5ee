"""Settings for ASB Portal: one module, driven by environment variables.

Development defaults are safe to run locally; production differences come from
variables (see README "Configuration"), never from extra settings modules.
"""

import re
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789abcdefghijkl"
SECRET_KEY = env.str("SECRET_KEY", default="") or DEVELOPMENT_SECRET_KEY
# Production refuses to start on a guessable key (sessions and signed links could be forged):
# it must be set, not the development one, at least 50 characters and not an obvious placeholder.
if not DEBUG and (
    SECRET_KEY == DEVELOPMENT_SECRET_KEY
    or len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or re.search(r"change.?me|insecure|placeholder|secret.?key|example|your.?key", SECRET_KEY, re.IGNORECASE)
):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value when DEBUG is off (50+ characters, not the development key), "
        "e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_forms_gds",
    "formtools",
    "django_filters",
    "csp",
    "notifications",
    "cases",
    "reporting",
    "surveys",
    "dashboard",
    "partners",
    "accounts",
    "privacy",
    "casereview",
    "jag",
    "letters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "asb_portal.permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "asb_portal.middleware.RefuseNulMiddleware",
    # Signed-in users: idle expiry, then the second factor (accounts/middleware.py). After RefuseNul,
    # which replaces a session cookie holding NUL before anything loads the session.
    "accounts.middleware.IdleSessionMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "asb_portal.urls"
WSGI_APPLICATION = "asb_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "asb_portal.context_processors.council",
                "asb_portal.context_processors.staff",
            ],
        },
    },
]
# Selects written in Python, the same HTML (asb_portal/form_renderer.py): Django's template per <option> made a
# county's officer filter (1,000 officers) cost more than the rest of the case list.
FORM_RENDERER = "asb_portal.form_renderer.FormRenderer"

# --- Database -----------------------------------------------------------------
# Persistent connections matter: ~220 vs ~1,800 requests/s measured (STYLE.md).
DATABASES = {
    "default": env.db(
        "DATABASE_URL",
        default="postgres://asb_portal:asb_portal@127.0.0.1:5432/asb_portal",
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# django-environ reads query-string booleans as strings, so this one is set in code.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache (rate limits), Celery broker ------------------------------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "asb",
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            # A resident's report must be taken even when Redis is down: cache calls
            # fail soft (rate limiting is skipped) instead of raising.
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
        },
    }
}
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# Sessions live in Postgres, so the online journey survives a Redis outage.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Europe/London"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Publishing must fail fast when Redis is down: the outbox row is already committed
# and the relay below delivers it later.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2}
CELERY_TASK_ALWAYS_EAGER = False
# Beat schedule, defined in code. One line per entry says what it is for.
CELERY_BEAT_SCHEDULE = {
    # Deliver outbox messages still pending (queued while Redis or the mail server was down).
    "relay-pending-messages": {
        "task": "notifications.tasks.relay_pending_messages",
        "schedule": env.int("RELAY_INTERVAL_SECONDS", default=60),
    },
    # Remind officers before deadlines fall due, alert officer and managers on breach (cases.services.sweep).
    "sla-sweep": {
        "task": "cases.tasks.sla_sweep",
        "schedule": env.int("SLA_SWEEP_INTERVAL_SECONDS", default=300),
    },
    # Weekday-morning email to each officer: due today, overdue, actions near review or expiry.
    "officer-digest": {
        "task": "cases.tasks.officer_digests",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon-fri"),
    },
    # Build the dashboard's closed months that are missing or marked stale by the database triggers (issue 16).
    "dashboard-refresh": {
        "task": "dashboard.tasks.dashboard_refresh_months",
        "schedule": env.int("DASHBOARD_REFRESH_INTERVAL_SECONDS", default=300),
    },
    # Invite people on newly closed cases to the satisfaction survey; one reminder after 7 days.
    "survey-sweep": {
        "task": "surveys.tasks.survey_sweep",
        "schedule": env.int("SURVEY_SWEEP_INTERVAL_SECONDS", default=60),
    },
    # Delete evidence uploaded to an online report that was never submitted.
    "purge-abandoned-uploads": {
        "task": "cases.tasks.purge_abandoned_uploads",
        "schedule": 60 * 60,
    },
    # List records past the retention schedule (privacy.RetentionRule, access log included) for a manager's review.
    "retention-list": {
        "task": "privacy.tasks.retention_list",
        "schedule": crontab(hour=2, minute=15),
    },
    # Remind privacy managers 7 days before a rights request is due, alert them the day after (privacy.services.rights).
    "rights-sweep": {
        "task": "privacy.tasks_requests.rights_sweep",
        "schedule": crontab(minute=5),
    },
    # JAG: keep each group's next twelve meetings made and send the papers by the cut-off (jag.services.papers).
    "jag-papers-sweep": {
        "task": "jag.tasks.papers_sweep",
        "schedule": env.int("JAG_PAPERS_SWEEP_INTERVAL_SECONDS", default=15 * 60),
    },
    # JAG: tell members once that the minutes are circulated (link only).
    "jag-minutes-sweep": {
        "task": "jag.tasks.minutes_sweep",
        "schedule": env.int("JAG_MINUTES_SWEEP_INTERVAL_SECONDS", default=15 * 60),
    },
}
# Task modules autodiscovery (each app's tasks.py) does not find.
CELERY_IMPORTS = ["privacy.tasks_requests"]

# --- Auth -------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# django-axes watches every sign-in (it must come first); ModelBackend checks the password.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

# Two factors (django-otp, TOTP). Required for every staff and partner account unless DEBUG is on
# (`make run`'s demo signs in with the password alone); whoever has enrolled is asked for a code either way.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="ASB Portal")  # the name authenticator apps show
# Half signed in (password right, code not yet typed) lasts this long.
TWO_FACTOR_PENDING_SECONDS = env.int("TWO_FACTOR_PENDING_SECONDS", default=300)

# Lockout (django-axes): an account is locked after AXES_FAILURE_LIMIT wrong passwords or codes, from any
# address, for AXES_COOLOFF_MINUTES (so nobody can keep a colleague out for good); a manager can unlock sooner.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_MINUTES = env.int("AXES_COOLOFF_MINUTES", default=30)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username"]
# Not on Django's "signed in": the admin's own form signs in on the password alone, and clearing the count there
# would let someone holding the password guess codes for ever. accounts.views.signin clears it once fully signed in.
AXES_RESET_ON_SUCCESS = False
# Wrong passwords during a lockout do not restart the cool-off (that would lock the holder out for ever).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "accounts.services.request_address"
# Sign-ins are recorded in accounts.SignInEvent; axes keeps only its lockout counters.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# Idle sessions of signed-in users end after this many minutes without a request (accounts.middleware);
# the timeout warning opens 2 minutes before. The public report journey keeps SESSION_COOKIE_AGE.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)

# --- Internationalisation -----------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Evidence is private: stored outside the static root, never served by URL,
    # only streamed by a staff-only view (cases.views.evidence_download).
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "evidence"))},
    },
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
MEDIA_ROOT = STORAGES["default"]["OPTIONS"]["location"]
# Nothing serves this path: evidence is streamed only by the staff-only download view.
MEDIA_URL = "/evidence-is-not-served-by-url/"
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
EVIDENCE_MAX_FILES = env.int("EVIDENCE_MAX_FILES", default=10)
# Files a resident uploads wait ("staged") until the report is sent, and anyone can upload: limits per
# journey, per client address (files, fails open without Redis) and for all staged files together.
EVIDENCE_SESSION_MAX_BYTES = env.int("EVIDENCE_SESSION_MAX_BYTES", default=100 * 1024 * 1024)
EVIDENCE_UPLOAD_RATE = env.str("EVIDENCE_UPLOAD_RATE", default="30/h")
EVIDENCE_STAGED_MAX_BYTES = env.int("EVIDENCE_STAGED_MAX_BYTES", default=2 * 1024 * 1024 * 1024)
# Let large evidence uploads stream to disk rather than memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Email ----------------------------------------------------------------------------
# Development prints emails in the worker log; production sets EMAIL_URL=smtp+tls://user:pass@host:587
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://127.0.0.1:25")
vars().update(EMAIL_CONFIG)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="asb-team@oadby-wigston.gov.uk.invalid")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Links in staff emails point here.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Council branding ---------------------------------------------------------------
COUNCIL_NAME = env.str("COUNCIL_NAME", default="Oadby and Wigston Borough Council")
COUNCIL_SERVICE_NAME = env.str("COUNCIL_SERVICE_NAME", default="Report anti-social behaviour")
COUNCIL_PHONE = env.str("COUNCIL_PHONE", default="0116 2888 961")
COUNCIL_WEBSITE = env.str("COUNCIL_WEBSITE", default="https://www.oadby-wigston.gov.uk")
COUNCIL_COLOUR = env.str("COUNCIL_COLOUR", default="#1d5b79")
# Goes into a <style> element: only a hex colour is accepted. It must have 4.5:1 contrast with white.
if not re.fullmatch(r"#[0-9a-fA-F]{6}", COUNCIL_COLOUR):
    raise ImproperlyConfigured("COUNCIL_COLOUR must be a hex colour like #1d5b79")
# The letterhead on letters and notices (letters app): the council's postal address, one line per comma.
LETTERHEAD_ADDRESS = env.str("LETTERHEAD_ADDRESS", default="Brocks Hill Council Offices, Washbrook Lane, Oadby, Leicester, LE2 5JJ")
# What the resident's case page lets them do: tell us the problem started again up to this many days after closure
# (the officer decides whether to reopen); after that they are offered a new report.
RESIDENT_REOPEN_DAYS = env.int("RESIDENT_REOPEN_DAYS", default=28)
# Rate limits on the resident's case page: wrong links tried from one address (then every link answers 429 for a
# while), and actions (diary entries, uploads, requests) sent through one link.
RESIDENT_LINK_MISS_RATE = env.str("RESIDENT_LINK_MISS_RATE", default="20/h")
RESIDENT_ACTION_RATE = env.str("RESIDENT_ACTION_RATE", default="30/h")

# --- Public form protection -----------------------------------------------------------
# Completed online reports per client address; the friendly page is templates/errors/429.html.
REPORT_SUBMIT_RATE = env.str("REPORT_SUBMIT_RATE", default="10/h")
LOGIN_RATE = env.str("LOGIN_RATE", default="10/m")  # sign-in attempts per client address
# Failed sign-ins per username from one address: attempts elsewhere never lock the account holder out.
LOGIN_FAILURE_RATE = env.str("LOGIN_FAILURE_RATE", default="10/m")
RATELIMIT_VIEW = "asb_portal.views.rate_limited"
# Behind a reverse proxy set this to the header carrying the client address.
RATELIMIT_IP_META_KEY = env.str("RATELIMIT_IP_META_KEY", default=None) or None
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
# If Redis is down, let requests through: refusing a resident's report is worse than an
# unthrottled minute (login throttling lapses too while Redis is down).
RATELIMIT_FAIL_OPEN = True
# django-ratelimit insists on a shared cache; django-redis with IGNORE_EXCEPTIONS is one.
# axes.W006 wants lockout by address too: that would lock a whole office behind one address out after a few
# typos; addresses are limited by LOGIN_RATE above, accounts by django-axes (see "Auth").
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001", "django_ratelimit.E003", "axes.W006"]

# --- Forms ------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
# crispy-forms-gds styles widgets by class name; ours need the GOV.UK classes too.
CRISPY_CLASS_CONVERTERS = {
    "multiplefileinput": "govuk-file-upload",
    "fileinput": "govuk-file-upload",
    "timeinput": "govuk-input",
    "numberinput": "govuk-input",
    "dateinput": "govuk-input",
    "csvselect": "govuk-select",
}

# --- Security (check --deploy passes when DEBUG=False and the variables are set) --------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every message and traceback line is cut to a bounded length (user input can be any length).
    # A refused page (403, 404) is one line without a traceback; it is expected, not a fault.
    "filters": {
        "truncate": {"()": "asb_portal.log_filters.TruncateLongValues"},
        "refusals": {"()": "asb_portal.log_filters.RefusalsOnOneLine"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["truncate"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django_redis": {"level": "ERROR"},
        # django-axes notes every attempt at INFO; accounts.SignInEvent records them, WARNING keeps its lockouts.
        "axes": {"level": "WARNING"},
        # WeasyPrint logs each step of every PDF (and parses its own stylesheet at import) at INFO: only its warnings.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Django's default "django" handlers (console when DEBUG, mail_admins: no ADMINS here) printed every
        # record a second time besides the root's console; the root alone prints them.
        "django": {"handlers": [], "level": "INFO"},
        # On the logger itself (not a handler) so every handler, and pytest's caplog, sees the one-line record.
        "django.request": {"filters": ["refusals"]},
    },
}

# Outbox relay: a pending message older than this is the relay's to deliver.
RELAY_GRACE_SECONDS = env.int("RELAY_GRACE_SECONDS", default=120)

# --- Notifications: delivery backends (notifications/backends.py) -------------------------
# Email goes through "django" (EMAIL_BACKEND, e.g. SMTP) or "notify" (GOV.UK Notify).
NOTIFICATIONS_EMAIL_BACKEND = env.str("NOTIFICATIONS_EMAIL_BACKEND", default="django")
# GOV.UK Notify API key (keyname-serviceid-secret); text messages are sent only when it is set.
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
# GOV.UK Notify API address; the tests point it at a local fake.
NOTIFY_BASE_URL = env.str("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
# Id of the generic Notify email template: subject ((subject)), body ((body)).
NOTIFY_EMAIL_TEMPLATE_ID = env.str("NOTIFY_EMAIL_TEMPLATE_ID", default="")
# Id of the generic Notify text message template: body ((body)).
NOTIFY_SMS_TEMPLATE_ID = env.str("NOTIFY_SMS_TEMPLATE_ID", default="")

# Satisfaction surveys: how long a survey link works, in days.
SURVEY_LINK_DAYS = env.int("SURVEY_LINK_DAYS", default=28)
