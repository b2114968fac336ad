"""Streaming File Import benchmark: whole processes against bare floors, each ratio measured in the same run.

Run: .venv/bin/python bench/bench_stream.py [--rows 100000] [--million | --million-staging-only] [--no-django]
SQLite, and PostgreSQL when it answers (BENCH_PG_URL, or off). Medians of 3 runs; targets from issue 10:
  staging (`flask users import FILE --dry-run --json`) <= 1.2x a bare csv.reader + validate_email loop;
  staging + Create Users <= 1.5x a bare stage + keyed-hash + executemany floor, and >= 10x faster than
  django-import-export's bulk import (installed in a throwaway virtualenv under /tmp);
  --million: staging, staging again (restage, then the background job), then Create Users, of 1,000,000 rows,
  each in its own process, peak memory printed (target < 300 MB); --million-staging-only skips the rest.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scratch_db import bench_databases  # noqa: E402

RUNS = 3
PYTHON = sys.executable
DJANGO_VENV = Path("/tmp/stream-django-venv")

FLOOR_STAGE = r'''
import csv, sys
from email_validator import EmailNotValidError, validate_email
valid = 0
with open(sys.argv[1], newline="", encoding="utf-8") as handle:
    reader = csv.reader(handle)
    next(reader)
    for first, last, email in reader:
        try:
            validate_email(email, check_deliverability=False)
            valid += 1
        except EmailNotValidError:
            pass
print(valid)
'''

# The floor for staging + Create Users: read and validate, stage with executemany, then a keyed hash per person
# (one os.urandom read for salts and passwords) and one executemany into a users-like table.
FLOOR_CREATE = r'''
import csv, hashlib, os, sys
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import create_engine, text
engine = create_engine(sys.argv[2])
rows = []
with open(sys.argv[1], newline="", encoding="utf-8") as handle:
    reader = csv.reader(handle)
    next(reader)
    for line, (first, last, email) in enumerate(reader, start=2):
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
            ok = True
        except EmailNotValidError:
            ok = False
        rows.append({"line": line, "first": first, "last": last, "email": email, "ok": ok})
with engine.begin() as conn:
    conn.execute(text("DROP TABLE IF EXISTS floor_stage"))
    conn.execute(text("DROP TABLE IF EXISTS floor_users"))
    conn.execute(text("CREATE TABLE floor_stage (line integer, first varchar(300), last varchar(300), "
                      "email varchar(320), ok boolean)"))
    conn.execute(text("CREATE TABLE floor_users (first varchar(100), last varchar(100), "
                      "email varchar(320) UNIQUE, password_hash varchar(255))"))
    conn.execute(text("INSERT INTO floor_stage VALUES (:line, :first, :last, :email, :ok)"), rows)
    ready = conn.execute(text("SELECT first, last, email FROM floor_stage WHERE ok ORDER BY line")).all()
    randomness = os.urandom(36 * len(ready))
    users = []
    for index, (first, last, email) in enumerate(ready):
        secret = randomness[36 * index:36 * index + 36]
        digest = hashlib.pbkdf2_hmac("sha256", secret[:20], secret[20:], 1).hex()
        users.append({"first": first, "last": last, "email": email, "hash": digest})
    conn.execute(text("INSERT INTO floor_users VALUES (:first, :last, :email, :hash)"), users)
print(len(ready))
'''


def make_csv(path: Path, rows: int) -> None:
    """First Name, Last Name, Email Address with varied domains and a few bad addresses."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("First Name,Last Name,Email Address\r\n")
        for n in range(rows):
            email = f"person{n}@school{n % 997}.example.org" if n % 97 else f"person{n} at school"
            out.write(f"First{n},Last{n % 4999},{email}\r\n")


def env_for(url: str, instance: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("FLASK_")}
    env.update({"PYTHONPATH": str(ROOT), "WEBAPP_INSTANCE_PATH": instance, "FLASK_SQLALCHEMY_DATABASE_URI": url,
                "FLASK_SECRET_KEY": "bench", "FLASK_MAIL_SEND_IN_BACKGROUND": "false",
                "FLASK_IMPORT_MAX_BYTES": str(200 * 1024 * 1024)})
    return env


def valid_rows(rows: int) -> int:
    """How many rows of make_csv's file have a valid address (every 97th has none)."""
    return rows - len(range(0, rows, 97))


def run(args: list[str], env=None) -> tuple[float, str]:
    """Seconds a whole process took, and what it printed."""
    start = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[:6])} failed: {done.stderr[-1500:]}")
    return elapsed, done.stdout


def counted(what: str, measured: tuple[float, str], expected: int, count=lambda out: int(out.split()[-1])) -> float:
    """The seconds of a run that did the whole job: refuse the bench when it made the wrong number of people."""
    seconds, out = measured
    got = count(out)
    if got != expected:
        raise SystemExit(f"{what} counted {got} people, expected {expected}: its time would mean nothing.")
    return seconds


def new_org(url: str, instance: str) -> str:
    """Migrate (once) and add an organisation with an admin; return its slug."""
    slug = f"b{uuid.uuid4().hex[:8]}"
    code = ("from flask_migrate import upgrade\nfrom webapp import create_app\nfrom webapp.extensions import db\n"
            "from webapp.auth.services import create_organisation\napp = create_app()\nwith app.app_context():\n"
            "    upgrade()\n"
            f"    create_organisation(name='Bench {slug}', slug='{slug}', admin_email='admin@{slug}.example', "
            "admin_first_name='Bench', admin_last_name='Admin', admin_password='a-long-bench-password-42')\n"
            "    db.session.commit()\n")
    subprocess.run([PYTHON, "-c", code], env=env_for(url, instance), cwd=ROOT, check=True, capture_output=True)
    return slug


def ours(path: Path, url: str, instance: str, slug: str, dry_run: bool, rows: int) -> float:
    """Seconds for our whole `flask users import` process; refused unless it found (dry run) or created every valid row."""
    args = [PYTHON, "-m", "flask", "--app", "webapp", "users", "import", str(path), "--org", slug, "--json"]
    key = "valid" if dry_run else "created"
    return counted(f"flask users import ({key})", run(args + (["--dry-run"] if dry_run else []), env_for(url, instance)),
                   valid_rows(rows), lambda out: json.loads(out)[key])


def median_ratio(pairs: list[tuple[float, float]]) -> tuple[float, float, float]:
    return (statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs),
            statistics.median(a / b for a, b in pairs))


def bench_database(label: str, url: str, path: Path, rows: int, django: bool) -> None:
    instance = tempfile.mkdtemp(prefix="bench-stream-")
    slug = new_org(url, instance)
    expected = valid_rows(rows)
    staging = [(ours(path, url, instance, slug, True, rows),
                counted("staging floor", run([PYTHON, "-c", FLOOR_STAGE, str(path)]), expected))
               for _ in range(RUNS)]
    mine, floor, ratio = median_ratio(staging)
    print(f"{label:10s} staging {rows:,} rows (--dry-run --json): {mine:6.2f} s; csv.reader + validate_email "
          f"{floor:6.2f} s; ratio {ratio:.2f}x (target <= 1.2x); each found {expected:,} valid")
    creating = []
    for _ in range(RUNS):
        slug = new_org(url, instance)
        creating.append((ours(path, url, instance, slug, False, rows),
                         counted("create floor", run([PYTHON, "-c", FLOOR_CREATE, str(path), url]), expected)))
    mine, floor, ratio = median_ratio(creating)
    print(f"{label:10s} staging + Create Users {rows:,}: {mine:6.2f} s; stage + keyed hash + executemany "
          f"{floor:6.2f} s; ratio {ratio:.2f}x (target <= 1.5x); each created {expected:,}")
    if django:
        theirs = statistics.median(django_import(path, url if label == "postgresql" else None, rows)
                                   for _ in range(RUNS))
        print(f"{label:10s} django-import-export bulk import {rows:,}: {theirs:6.2f} s; we are "
              f"{theirs / mine:.1f}x faster (target >= 10x); it stored all {rows:,} (it does not validate)")


STAGE_MILLION = r'''
import json, sys
from pathlib import Path
from sqlalchemy import select
from webapp import create_app
from webapp.extensions import db
from webapp.imports import staging, uploads
from webapp.models import Organisation, User
app = create_app()
with app.app_context():
    org = db.session.scalar(select(Organisation).where(Organisation.slug == sys.argv[2]))
    admin = db.session.scalar(select(User).where(User.org_id == org.id))
    # As the CLI and the web upload do: the file is read from disk a block at a time, and kept in parts.
    batch = staging.stage_upload(org.id, admin.id, "million.csv", uploads.Upload(Path(sys.argv[1])),
                                 max_bytes=10**9, ttl_days=7)
    db.session.commit()
    print(json.dumps({"batch": batch.id, "admin": admin.id, "peak_mb": peak_mb()}))
'''

# Reading the kept file again: restage in the request (as a small batch would be), then the background
# staging job; each writes the stored parts back to a temporary file and stages every row again.
RESTAGE_MILLION = r'''
import json, sys
from webapp import create_app
from webapp.extensions import db
from webapp.imports import staging
from webapp.models import ImportBatch
app = create_app()
with app.app_context():
    batch = db.session.get(ImportBatch, int(sys.argv[1]))
    staging.restage(batch)
    restaged = peak_mb()
    result = staging.stage_batch_job(batch.id)
    print(json.dumps({"restage_peak_mb": restaged, "job_peak_mb": peak_mb(), "rows": result.get("rows_read"),
                      "error": result.get("error")}))
'''

CREATE_MILLION = r'''
import json, sys, time
from webapp import create_app
from webapp.imports import creating
app = create_app()
with app.app_context():
    start = time.perf_counter()
    result = creating.create_users(int(sys.argv[1]), int(sys.argv[2]))
    print(json.dumps({"created": result.created, "error": result.error, "seconds": time.perf_counter() - start,
                      "peak_mb": peak_mb()}))
'''
# The process's own peak resident memory (VmHWM; ru_maxrss would carry the parent's across exec).
PEAK = ("def peak_mb():\n    return int(next(line.split()[1] for line in open('/proc/self/status') "
        "if line.startswith('VmHWM:'))) // 1024\n")
STAGE_MILLION, RESTAGE_MILLION, CREATE_MILLION = (PEAK + script for script in
                                                  (STAGE_MILLION, RESTAGE_MILLION, CREATE_MILLION))


def bench_million(label: str, url: str, path: Path, staging_only: bool = False) -> None:
    """Stage 1,000,000 rows, stage them again, then Create Users, each in its own process; each one's peak memory."""
    instance = tempfile.mkdtemp(prefix="bench-stream-")
    slug = new_org(url, instance)
    staged = _json_of([PYTHON, "-c", STAGE_MILLION, str(path), slug], env_for(url, instance))
    again = _json_of([PYTHON, "-c", RESTAGE_MILLION, str(staged["batch"])], env_for(url, instance))
    print(f"{label:10s} 1,000,000 rows: staging peak {staged['peak_mb']} MB; restage peak "
          f"{again['restage_peak_mb']} MB; background staging job peak {again['job_peak_mb']} MB "
          f"({again['rows']:,} rows) (target < 300 MB) {again['error'] or ''}")
    if staging_only:
        return
    made = _json_of([PYTHON, "-c", CREATE_MILLION, str(staged["batch"]), str(staged["admin"])],
                    env_for(url, instance))
    print(f"{label:10s} 1,000,000 rows: Create Users of {made['created']:,} "
          f"in {made['seconds']:.0f} s, peak {made['peak_mb']} MB (target < 300 MB) {made['error'] or ''}")


def _json_of(args: list[str], env: dict) -> dict:
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"failed: {done.stderr[-1500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


DJANGO_APP = r'''
import os, sys, time
import django
from django.conf import settings
database = ({"ENGINE": "django.db.backends.postgresql", "NAME": sys.argv[3], "USER": "postgres",
             "HOST": "127.0.0.1", "PORT": "5432"} if sys.argv[2] == "pg" else
            {"ENGINE": "django.db.backends.sqlite3", "NAME": sys.argv[3]})
settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "import_export",
                                   "people"], DATABASES={"default": database}, USE_TZ=True)
sys.path.insert(0, os.path.dirname(__file__))
django.setup()
from django.core.management import call_command
call_command("migrate", run_syncdb=True, verbosity=0)
from import_export import fields, resources
from tablib import Dataset
from people.models import Person

class PersonResource(resources.ModelResource):
    # The file's own headers: without column_name every row fails and raise_errors=False hides it.
    first_name = fields.Field(attribute="first_name", column_name="First Name")
    last_name = fields.Field(attribute="last_name", column_name="Last Name")
    email = fields.Field(attribute="email", column_name="Email Address")

    class Meta:
        model = Person
        fields = ("first_name", "last_name", "email")
        import_id_fields = ("email",)
        use_bulk = True
        batch_size = 1000
        skip_diff = True

with open(sys.argv[1], encoding="utf-8") as handle:
    text = handle.read()
start = time.perf_counter()
dataset = Dataset().load(text, format="csv")
result = PersonResource().import_data(dataset, dry_run=False, raise_errors=False)
print(time.perf_counter() - start)
print(result.base_errors[:1] or "", result.row_errors()[:1] or "")  # what went wrong, if anything
print(Person.objects.count(), len(result.row_errors()), len(result.invalid_rows))
'''
DJANGO_MODELS = '''from django.db import models


class Person(models.Model):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=320, unique=True)
'''


def django_import(path: Path, pg_url: str | None, rows: int) -> float:
    """Seconds for django-import-export's bulk import of the file into a fresh database (whole process).

    Refused unless every row of the file became a Person: its bulk path saves without validating, so the
    invalid addresses are stored too.
    """
    folder = Path(tempfile.mkdtemp(prefix="bench-django-"))
    (folder / "people").mkdir()
    (folder / "people" / "__init__.py").write_text("")
    (folder / "people" / "models.py").write_text(DJANGO_MODELS)
    (folder / "run.py").write_text(DJANGO_APP)
    if pg_url:
        from sqlalchemy.engine import make_url

        kind, name = "pg", make_url(pg_url).database
    else:
        kind, name = "sqlite", str(folder / "django.db")
    start = time.perf_counter()
    done = subprocess.run([str(DJANGO_VENV / "bin" / "python"), str(folder / "run.py"), str(path), kind, name],
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if pg_url:
        _drop_django_tables(pg_url)
    if done.returncode != 0:
        raise SystemExit(f"django-import-export failed: {done.stderr[-1500:]}")
    return counted("django-import-export", (elapsed, done.stdout), rows, lambda out: int(out.split()[-3]))


def _drop_django_tables(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        for table in ("people_person", "django_migrations", "auth_user_groups", "auth_user_user_permissions",
                      "auth_group_permissions", "auth_permission", "auth_group", "auth_user",
                      "django_content_type"):
            conn.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--million", action="store_true", help="also stage, then Create Users of, 1,000,000 rows: peak memory of each process")
    parser.add_argument("--no-django", action="store_true", help="skip django-import-export")
    parser.add_argument("--million-staging-only", action="store_true",
                        help="only stage (and stage again) 1,000,000 rows: peak memory of each process")
    options = parser.parse_args()
    django = not options.no_django and not options.million_staging_only
    if django and not (DJANGO_VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(DJANGO_VENV)], check=True)
        subprocess.run([str(DJANGO_VENV / "bin" / "pip"), "install", "-q", "django", "django-import-export",
                        "psycopg[binary]"], check=True)
    # The app's bytecode written once, as an installed app has it: with PYTHONDONTWRITEBYTECODE set, every
    # process would otherwise compile each of its modules again, and measure the compiler.
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "webapp")], check=True)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "people.csv"
        make_csv(path, options.rows)
        if not options.million_staging_only:
            for label, url in bench_databases("bench_stream"):
                bench_database(label, url, path, options.rows, django)
        if options.million or options.million_staging_only:
            big = Path(folder) / "million.csv"
            make_csv(big, 1_000_000)
            for label, url in bench_databases("bench_stream_million"):
                bench_million(label, url, big, options.million_staging_only)


if __name__ == "__main__":
    main()
