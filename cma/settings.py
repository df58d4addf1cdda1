"""Settings for the CMA Portal.

One module for every deployment: each knob is an environment variable with a
safe local default (see `.env.example`). Without `DATABASE_URL` the portal runs
on a SQLite file under `var/`; without `REDIS_URL` Celery runs tasks eagerly
in-process and the cache is local memory.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from celery.schedules import crontab
from django.contrib.messages import constants as message_constants
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

# --- Core -------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The absolute address of the site, used in emails and calendar feeds where no
# request is at hand (Celery tasks, management commands).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env("SITE_NAME", default="CMA USA")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "csp",
    "cma",
    "members",
    "events",
    "workinggroups",
    "petitions",
    "notifications",
    "communications",
    "django.contrib.sitemaps",
    "insights",
    "billing",
    "reports",
    "minerals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # django-csp's, with the site's policy built once (cma/middleware.py).
    "cma.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user learns whether this session passed the second factor.
    "cma.access.SessionSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "cma.middleware.UserTimezoneMiddleware",
    "cma.middleware.StaffAdminRequiresMFAMiddleware",
]

ROOT_URLCONF = "cma.urls"
# Every form renders through templates/forms/: labels, help and errors beside
# each field, tied together with aria-describedby.
FORM_RENDERER = "cma.forms.SiteFormRenderer"
WSGI_APPLICATION = "cma.wsgi.application"

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
                "cma.context_processors.site",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

_default_sqlite = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url("DATABASE_URL", default=_default_sqlite)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # WAL and IMMEDIATE transactions let the threaded dev server and eager
    # Celery tasks write without "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # Django's backend with a health check that needs no round trip while the
    # connection is idle and quiet (cma/db_backends/postgresql/base.py).
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "cma.db_backends.postgresql"
    # Persistent connections: a one-INSERT view serves ~7x more requests per
    # second on this hardware than with a new connection per request.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, Celery ------------------------------------------------

REDIS_URL = env("REDIS_URL", default="")


def _next_redis_database(url: str) -> str:
    """The same Redis server, the next database number (/0 -> /1)."""
    parts = urlsplit(url)
    current = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{current + 1}"))


if REDIS_URL:
    # The cache lives in its own Redis database so that flushing it, or
    # evicting keys under memory pressure, never touches queued tasks.
    REDIS_CACHE_URL = env("REDIS_CACHE_URL", default=_next_redis_database(REDIS_URL))
    CACHES = {
        "default": {
            # Fails soft: a Redis that is down or slow costs a per-process
            # cache for a while, never an error page (cma/cache.py).
            "BACKEND": "cma.cache.FailSoftRedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="cma"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions live in PostgreSQL alone: a Redis blink must not sign anyone out,
# and a session cached in Redis could come back stale after one.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Eager tasks need no broker; "localhost" only keeps kombu from warning that
# the in-memory URL names no host.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
# With Redis, kombu's Redis transport with one fix: a worker survives Redis
# going away mid-task (cma/broker.py).
CELERY_BROKER_TRANSPORT = "cma.broker:Transport" if REDIS_URL else None
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="cma")
# Tasks that claim their work idempotently set acks_late themselves; a worker
# that dies mid-task then hands the message to another worker.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Every periodic job lives here, with when and why.
CELERY_BEAT_SCHEDULE = {
    # Every 30 seconds: publish the tasks committed changes asked for while the
    # broker was away (cma.publish), so a Redis blink delays work, never loses it.
    "cma-publish-pending-tasks": {
        "task": "cma.tasks.publish_pending_tasks",
        "schedule": timedelta(seconds=30),
    },
    # Every 30 seconds: start delivery for outbox emails no task will take —
    # their task message was lost (a broker that was down) or their worker
    # died mid-send (claims expire after EMAIL_DELIVERY_TIME_LIMIT) — so a
    # blink of the broker or a killed worker delays email by a minute at most.
    "notifications-requeue-stalled-email": {
        "task": "notifications.tasks.requeue_stalled_email",
        "schedule": timedelta(seconds=30),
    },
    # Every 30 seconds: queue the confirmation emails of new petition
    # signatures no task has taken — its message lost with a broker that was
    # down, or with a web process killed just after the signer's commit.
    "petitions-queue-signature-confirmations": {
        "task": "petitions.tasks.queue_signature_confirmations",
        "schedule": timedelta(seconds=30),
    },
    # Every minute: start scheduled announcements whose time has come (and
    # restart a fan-out whose task was lost); mark finished sends as sent.
    "communications-send-due": {
        "task": "communications.tasks.send_due_messages",
        "schedule": timedelta(minutes=1),
    },
    "communications-settle": {
        "task": "communications.tasks.settle_messages",
        "schedule": timedelta(minutes=1),
    },
    # Every minute: publish the insights posts scheduled for now or earlier,
    # so a scheduled post goes live within a minute of its time.
    "insights-publish-due": {
        "task": "insights.tasks.publish_due_posts",
        "schedule": timedelta(minutes=1),
    },
    # Daily at 12:00 UTC (morning in the U.S.): the daily digests; Mondays at
    # 12:00 UTC the weekly ones. Each person gets one per period at most.
    "notifications-daily-digests": {
        "task": "notifications.tasks.send_daily_digests",
        "schedule": crontab(hour=12, minute=0),
    },
    "notifications-weekly-digests": {
        "task": "notifications.tasks.send_weekly_digests",
        "schedule": crontab(hour=12, minute=0, day_of_week="mon"),
    },
    # Nightly at 03:15 UTC: forget who received sensitive emails (sign-in,
    # confirmation and withdrawal links) older than OUTBOX_SENSITIVE_RETENTION_DAYS.
    "notifications-expire-sensitive-email": {
        "task": "notifications.tasks.expire_sensitive_email",
        "schedule": crontab(hour=3, minute=15),
    },
    # Daily at 13:00 UTC (morning in the U.S.): renewal reminders 60/30/7 days
    # before a term ends, and memberships past their end moved to grace/lapsed.
    "members-daily-renewals": {
        "task": "members.tasks.membership_daily",
        "schedule": crontab(hour=13, minute=0),
    },
    # Daily at 13:10 UTC (morning in the U.S.): renewal invoices for terms
    # ending within BILLING_RENEWAL_LEAD_DAYS, then dunning (reminders, grace,
    # lapse) for unpaid invoices. Each step is keyed, so reruns change nothing.
    "billing-daily": {
        "task": "billing.tasks.billing_daily",
        "schedule": crontab(hour=13, minute=10),
    },
    # Every 5 minutes: event reminders 24 hours and 1 hour before the start.
    # Each is claimed per (registration, kind, event start) before sending, so
    # running more often (or twice) never sends one twice; a reschedule re-arms them.
    "events-send-reminders": {
        "task": "events.tasks.send_due_reminders",
        "schedule": timedelta(minutes=5),
    },
    # Daily at 13:30 UTC (morning in the U.S.): staff get one email listing the
    # endorsements awaiting moderation, instead of one email per endorsement.
    "petitions-moderation-digest": {
        "task": "petitions.tasks.send_moderation_digest",
        "schedule": crontab(hour=13, minute=30),
    },
    # Daily at 08:15 UTC (night in the U.S.): delete unconfirmed signatures and
    # endorsements past PETITIONS_UNCONFIRMED_RETENTION_DAYS, and erase any
    # withdrawn signer's personal data still on file.
    "petitions-retention-purge": {
        "task": "petitions.tasks.purge_retained_data",
        "schedule": crontab(hour=8, minute=15),
    },
    # Every 10 minutes: petitions whose closing time passed move to "closed"
    # (pages already treat them as closed; this records the transition).
    "petitions-close-expired": {
        "task": "petitions.tasks.close_expired_petitions",
        "schedule": timedelta(minutes=10),
    },
}

# /readyz reports "degraded" when the oldest email waiting for its first
# attempt has waited longer than this (delivery is stuck).
READYZ_OUTBOX_MAX_AGE_SECONDS = env.int("READYZ_OUTBOX_MAX_AGE_SECONDS", default=300)

# --- Email ------------------------------------------------------------------

# EMAIL_URL examples: smtp+tls://user:pass@smtp.example.org:587,
# consolemail://, filemail:///path/to/dir, dummymail://
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CMA USA <portal@cma-usa.localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_SUBJECT_PREFIX = "[CMA USA] "
# Who hears about new applications, endorsements awaiting moderation, etc.
STAFF_NOTIFICATION_EMAILS = env.list("STAFF_NOTIFICATION_EMAILS", default=[])
# Delivery retries: 5 attempts, backing off 1, 2, 4, 8 times this many seconds.
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=5)
EMAIL_RETRY_BACKOFF_SECONDS = env.int("EMAIL_RETRY_BACKOFF_SECONDS", default=60)
# Days the outbox remembers who received a sensitive email (a link meant for
# one person); their bodies are blanked as soon as they are delivered.
OUTBOX_SENSITIVE_RETENTION_DAYS = env.int("OUTBOX_SENSITIVE_RETENTION_DAYS", default=30)
# The delivery task's hard time limit, in seconds. A worker that dies while
# sending leaves its claimed emails to be sent by another once this has passed.
EMAIL_DELIVERY_TIME_LIMIT = env.int("EMAIL_DELIVERY_TIME_LIMIT", default=30)
# How many delivery tasks a large send starts at once (one per worker process
# that should share the work).
EMAIL_DELIVERY_PARALLELISM = env.int("EMAIL_DELIVERY_PARALLELISM", default=4)
# Unsubscribe links in optional email stay valid this long (CAN-SPAM asks 30
# days at least); a mailbox for unsubscribe requests, if you run one.
UNSUBSCRIBE_LINK_MAX_AGE_DAYS = env.int("UNSUBSCRIBE_LINK_MAX_AGE_DAYS", default=365)
UNSUBSCRIBE_MAILTO = env("UNSUBSCRIBE_MAILTO", default="")
# Bounce and complaint notifications: the bearer token a mail provider's
# webhook must send (empty: the endpoint is off), and how many soft bounces
# in 30 days suppress an address like a hard bounce.
BOUNCE_WEBHOOK_TOKEN = env("BOUNCE_WEBHOOK_TOKEN", default="")
EMAIL_SOFT_BOUNCE_LIMIT = env.int("EMAIL_SOFT_BOUNCE_LIMIT", default=5)

# --- Accounts (django-allauth) ------------------------------------------------

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.SignupDetailsForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = EMAIL_SUBJECT_PREFIX
ACCOUNT_RATE_LIMITS = {
    # One client address gets 20 sign-in attempts a minute, whatever the
    # accounts; five wrong passwords for one account from one address lock
    # that account's password sign-in *from that address* for the rest of the
    # five minutes ("key" is account + address: members.adapters). There is
    # deliberately no cap per account across addresses: anyone with a few
    # addresses (IPv6 hands out /64s freely) could aim it at a staff account
    # and lock its owner out; passwords of 10+ uncommon characters and the
    # staff's second factor answer distributed guessing instead.
    "login_failed": "20/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME

# --- Membership ---------------------------------------------------------------

# Days after a new charter version is published before organizations that
# have not accepted it are flagged.
CHARTER_GRACE_DAYS = env.int("CHARTER_GRACE_DAYS", default=30)
# Days a membership past the end of its term stays "in grace" (members keep
# access) before it lapses. 0: it lapses the day after the term ends.
MEMBERSHIP_GRACE_DAYS = env.int("MEMBERSHIP_GRACE_DAYS", default=0)
# How long an invitation to join an organization stays valid.
INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=14)
# Business days staff usually take to decide on an application (applicants are told).
APPLICATION_REVIEW_DAYS = env.int("APPLICATION_REVIEW_DAYS", default=10)
# Organization logos: the largest upload accepted (it is re-encoded smaller).
LOGO_MAX_BYTES = env.int("LOGO_MAX_BYTES", default=2 * 1024 * 1024)

# --- Billing ------------------------------------------------------------------

# Who invoices say they are from (the association's legal name and address).
BILLING_ISSUER_NAME = env("BILLING_ISSUER_NAME", default="Critical Minerals Association USA")
BILLING_ISSUER_ADDRESS = env(
    "BILLING_ISSUER_ADDRESS", default="1200 G Street NW, Suite 800\nWashington, DC 20005\nUnited States"
).replace("\\n", "\n")
# Days from an invoice's issue to its due date.
BILLING_PAYMENT_TERMS_DAYS = env.int("BILLING_PAYMENT_TERMS_DAYS", default=30)
# Days before a term ends that its renewal invoice is issued.
BILLING_RENEWAL_LEAD_DAYS = env.int("BILLING_RENEWAL_LEAD_DAYS", default=45)
# A new member's first invoice charges only the months left in the calendar
# year (the start month counted) when this is on.
BILLING_PRORATE_FIRST_YEAR = env.bool("BILLING_PRORATE_FIRST_YEAR", default=False)
# Dunning: reminders this many days after the due date (each once), then the
# membership goes into grace, then it lapses.
BILLING_DUNNING_REMINDER_DAYS = [int(d) for d in env.list("BILLING_DUNNING_REMINDER_DAYS", default=["7", "21"])]
BILLING_DUNNING_GRACE_DAYS = env.int("BILLING_DUNNING_GRACE_DAYS", default=30)
BILLING_DUNNING_LAPSE_DAYS = env.int("BILLING_DUNNING_LAPSE_DAYS", default=60)
# Online card payment through Stripe Checkout: on when both are set.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# The class that creates Checkout sessions (tests put a local stand-in here).
BILLING_CHECKOUT_CLIENT = env("BILLING_CHECKOUT_CLIENT", default="billing.stripe.StripeCheckoutClient")

# --- Working groups -------------------------------------------------------------

# The largest document (each version) a working group accepts, in megabytes.
# Checked while the upload streams in: bytes past the cap are never stored.
WORKINGGROUP_DOCUMENT_MAX_BYTES = env.int("WORKINGGROUP_DOCUMENT_MAX_MB", default=25) * 1024 * 1024

# --- Accessibility ---------------------------------------------------------------

# Reports of an accessibility problem (the form on /accessibility/) accepted
# from one client address, as "count/period" like the petitions' limits.
ACCESSIBILITY_REPORT_RATE_LIMIT_PER_IP = env("ACCESSIBILITY_REPORT_RATE_LIMIT_PER_IP", default="5/h")

# --- Petitions ------------------------------------------------------------------

# Valid sign / endorse submissions accepted from one client address (IPv6: one
# /64), as "count/period" with s, m, h or d: "30/10m" is 30 per 10 minutes.
# A whole office behind one address may need more; benchmarks raise it.
PETITIONS_SIGN_RATE_LIMIT_PER_IP = env("PETITIONS_SIGN_RATE_LIMIT_PER_IP", default="30/10m")
PETITIONS_ENDORSE_RATE_LIMIT_PER_IP = env("PETITIONS_ENDORSE_RATE_LIMIT_PER_IP", default="10/h")
# Submissions for one email address from one client address. Counted per
# client address so a flood using someone's email never blocks their own retry.
PETITIONS_RATE_LIMIT_PER_EMAIL = env("PETITIONS_RATE_LIMIT_PER_EMAIL", default="5/h")
# At most one confirmation email per address per this many minutes, however
# often the address is submitted.
PETITIONS_CONFIRMATION_RESEND_MINUTES = env.int("PETITIONS_CONFIRMATION_RESEND_MINUTES", default=10)
# Unconfirmed signatures and endorsements are deleted after this many days.
PETITIONS_UNCONFIRMED_RETENTION_DAYS = env.int("PETITIONS_UNCONFIRMED_RETENTION_DAYS", default=30)
# Seconds the public JSON endpoint is cached (changes also clear it at once).
PETITIONS_API_CACHE_SECONDS = env.int("PETITIONS_API_CACHE_SECONDS", default=60)
# Sites allowed to show the petition widget in an iframe (CSP frame-ancestors);
# "*" is any site. Every other page refuses to be framed.
PETITIONS_EMBED_FRAME_ANCESTORS = env.list("PETITIONS_EMBED_FRAME_ANCESTORS", default=["*"])

# --- Internationalization ---------------------------------------------------

LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# One time style everywhere ("2:00 PM", never "2 p.m."): Django's own output
# (the admin, allauth, unformatted dates) follows cma.formatting's patterns.
FORMAT_MODULE_PATH = ["cma.formats"]
# The association sits in Washington, DC: shown to visitors who chose no zone.
DISPLAY_TIME_ZONE = env("DISPLAY_TIME_ZONE", default="America/New_York")

# --- Static and uploaded files ---------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Private uploads (working-group documents) are served only through checked
# views; MEDIA_URL is deliberately not routed anywhere.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": env("DEFAULT_FILE_STORAGE", default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# In debug mode whitenoise serves straight from the source folders.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG
# Requests larger than this are refused before any view reads them; uploads
# have their own, smaller caps checked by the forms.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500

# --- Security ---------------------------------------------------------------

# Behind a proxy that terminates TLS, set SECURE_PROXY_SSL_HEADER=1 so Django
# trusts its X-Forwarded-Proto header.
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front append to X-Forwarded-For (0: trust none, use
# REMOTE_ADDR). Client addresses feed audit records and rate limits.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "cma.views.csrf_failure"

# No inline script anywhere; styles and images from this site only (data:
# images for the TOTP QR code). Framing is refused except where a view opts in.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# --- Messages, logging -------------------------------------------------------

MESSAGE_TAGS = {message_constants.ERROR: "error"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A refused request (403, PermissionDenied, CSRF, 404) is one line:
    # method, path, status, user, reason. 5xx keep their traceback.
    "filters": {"refusal_on_one_line": {"()": "cma.log.RefusalOnOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"filters": ["refusal_on_one_line"]},
        "django.security.csrf": {"filters": ["refusal_on_one_line"]},
        "django.security.DisallowedHost": {"level": "ERROR"},
    },
}

# Minerals: pooled demand totals are shown only for groups of at least this
# many distinct organizations, and only when no single organization supplies
# more than this share (percent) of the total (the dominance rule).
MINERALS_POOL_MIN_ORGANIZATIONS = env.int("MINERALS_POOL_MIN_ORGANIZATIONS", default=3)
MINERALS_POOL_DOMINANCE_PERCENT = env.int("MINERALS_POOL_DOMINANCE_PERCENT", default=50)

# How long a staff report page's figures are kept in the cache (seconds):
# a report of a year groups every row of it, so within this window staff see
# figures "as of" the time shown, with a link to refresh them (reports/).
REPORTS_CACHE_SECONDS = env.int("REPORTS_CACHE_SECONDS", default=300)
