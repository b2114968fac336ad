"""Configuration defaults; instance/config.py and FLASK_* environment variables override them."""
from __future__ import annotations


class Config:
    """Class defaults: everything a self-hoster may change, in one place."""

    # Filled in by create_app from instance/secret_key when not configured.
    SECRET_KEY: str | None = None
    # Filled in by create_app: sqlite:///<instance>/webapp.db when not configured.
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session

    # Your extensions: module names whose init_app(app) runs at start-up (docs/EXTENDING.md), and
    # the Alembic folders of their own migrations (`flask db upgrade heads` runs them).
    EXTENSIONS: tuple[str, ...] = ()
    MIGRATION_LOCATIONS: tuple[str, ...] = ()

    # Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto to trust (0: none).
    PROXY_FIX_X_FOR = 0

    # Public address used in emails ("sign in at ..."). None: the address of the request that
    # caused the email (background jobs keep the one they were started from); the command line
    # then uses SERVER_NAME.
    BASE_URL: str | None = None

    # Mail: with no MAIL_SERVER, messages are kept in the outbox (Mail page) and not sent.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "Onboarding Console <no-reply@localhost>"
    MAIL_MAX_ATTEMPTS = 8
    MAIL_SEND_IN_BACKGROUND = True  # in-process sender thread when MAIL_SERVER is set
    MAIL_POLL_SECONDS = 5  # how often the background sender looks for due mail
    MAIL_RETRY_BASE_SECONDS = 60  # first retry after this; each later one waits twice as long
    MAIL_RETRY_MAX_SECONDS = 6 * 3600
    MAIL_SENDING_TIMEOUT_SECONDS = 15 * 60  # a message "sending" this long is taken back
    MAIL_TIMEOUT_SECONDS = 30  # SMTP socket timeout
    MAIL_SEND_BATCH = 200  # messages claimed at a time by one sender, recorded in one commit
    MAIL_OUTAGE_PROBE_SECONDS = 15  # unreachable server: wait this long before trying it again
    MAIL_OUTAGE_MAX_SECONDS = 300  # ... doubling each time, up to this

    # SQLite: fold the write-ahead log into the database file every this many seconds in a background thread of
    # each serving process, not in the commit that fills it. None: every 0.25 s, or 0 (off) when TESTING.
    SQLITE_CHECKPOINT_SECONDS: float | None = None

    # Background jobs: in-process threads unless REDIS_URL is set (then RQ).
    REDIS_URL: str | None = None
    RQ_QUEUE = "webapp"
    JOBS_IN_PROCESS = True  # tests may set False to run jobs inline, synchronously

    # Sign-in throttling: failures allowed per window, per account and per client address.
    SIGNIN_WINDOW_SECONDS = 15 * 60
    SIGNIN_MAX_FAILURES_PER_ACCOUNT = 5
    SIGNIN_MAX_FAILURES_PER_ADDRESS = 30

    # File Import.
    IMPORT_MAX_BYTES = 100 * 1024 * 1024  # a million rows of a typical people file fit
    IMPORT_BACKGROUND_ROWS = 2000  # files and batches larger than this use a background job
    IMPORT_BATCH_TTL_DAYS = 7
    # Limits on what reading one untrusted file may take on (webapp.imports.reading.ReadLimits.from_config).
    IMPORT_MAX_COLUMNS = 200
    IMPORT_MAX_ROWS = 1_000_000
    IMPORT_MAX_CELL_CHARS = 10_000
    IMPORT_MAX_DECOMPRESSED_BYTES = 400 * 1024 * 1024  # what a workbook's zip may unpack to
    IMPORT_PARSE_TIMEOUT_SECONDS = 60  # a workbook is parsed in a child process, stopped after this
    IMPORT_PARSE_MEMORY_MB = 1024  # address-space cap of that child process
    IMPORT_UNDO_DAYS = 7  # a finished import can be undone for this many days
    IMPORT_CHUNK_ROWS = 10_000  # rows read, cleaned and inserted at a time: memory stays bounded at any size
    MAX_CONTENT_LENGTH = 101 * 1024 * 1024

    USERS_PER_PAGE = 50
