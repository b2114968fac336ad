"""Files larger than one chunk: read, cleaned and saved a chunk at a time, in bounded memory, nothing lost."""
from __future__ import annotations

import json
import os
import subprocess

from sqlalchemy import select

from tests.scale import OWN_PEAK_KB, PYTHON, ROOT, process_env
from webapp import credentials, jobs
from webapp.config import Config
from webapp.extensions import db
from webapp.imports import staging
from webapp.models import ImportBatch, Job, StagedRow

CHUNK = 50


def people_csv(count: int) -> bytes:
    """A people file of `count` rows with varied domains, line 2 onwards."""
    lines = ["First Name,Last Name,Email Address"]
    lines += [f"Name{n},Family{n},person{n}@school{n % 7}.example" for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


def chunked_file() -> bytes:
    """230 people over five chunks of 50; line 180 repeats line 10 exactly, line 200 reuses line 12's address."""
    lines = people_csv(230).decode().splitlines()
    lines[179] = lines[9]
    lines[199] = "Other,Person," + lines[11].split(",")[2]
    return ("\n".join(lines) + "\n").encode()


def test_a_file_of_several_chunks_is_staged_whole_with_duplicates_across_chunks(app, org, admin):
    app.config["IMPORT_CHUNK_ROWS"] = CHUNK
    batch = staging.stage_upload(org.id, admin.id, "people.csv", chunked_file(), max_bytes=10**6, ttl_days=7)
    rows = {row.line: row for row in db.session.scalars(select(StagedRow).where(StagedRow.batch_id == batch.id))}
    assert len(rows) == batch.rows_read == 230 and sorted(rows) == list(range(2, 232))
    assert (rows[180].status, rows[180].duplicate_of) == ("duplicate", 10)
    assert (rows[200].status, rows[200].conflict_with) == ("invalid", 12)
    assert rows[12].status == "valid" and rows[231].email == "person229@school5.example"


def test_background_staging_moves_its_progress_chunk_by_chunk(app, org, admin):
    app.config["IMPORT_CHUNK_ROWS"] = CHUNK
    batch = staging.new_batch(org.id, admin.id, "people.csv", chunked_file(), 7)
    db.session.commit()
    job = jobs.submit("import_staging", "webapp.imports.staging.stage_batch_job", org_id=org.id,
                      batch_id=batch.id)
    seen = []
    original = jobs.progress

    def recording(job_id, done, total=None, message=None):
        seen.append((done, total))
        original(job_id, done, total, message)

    jobs.progress = recording
    try:
        staging.stage_batch_job(batch.id, job.id)
    finally:
        jobs.progress = original
    assert [item for item in seen if item[0]] == [(50, 230), (100, 230), (150, 230), (200, 230), (230, 230)]
    assert db.session.get(ImportBatch, batch.id).status == "staged"
    assert (db.session.get(Job, job.id).done, db.session.get(Job, job.id).total) == (230, 230)


def test_the_cli_report_of_a_several_chunk_file_lists_every_row_and_leaves_nothing(app, org, runner, tmp_path):
    app.config["IMPORT_CHUNK_ROWS"] = CHUNK
    path = tmp_path / "people.csv"
    path.write_bytes(chunked_file())
    result = runner.invoke(args=["users", "import", str(path), "--org", "acme", "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["rows_read"] == 230 and [row["line"] for row in report["rows"]] == list(range(2, 232))
    assert (report["duplicates_ignored"], report["invalid"], report["valid"]) == (1, 1, 228)
    assert db.session.scalar(select(ImportBatch.id)) is None


def test_staging_200000_rows_stays_in_bounded_memory(app_config, org, tmp_path):
    """A whole `flask users import --dry-run --json` process, measured by its own peak resident memory."""
    path = tmp_path / "big.csv"
    path.write_bytes(people_csv(200_000))
    script = ("import sys\nfrom flask.cli import main\nsys.argv = ['flask', '--app', 'webapp', 'users', "
              f"'import', {str(path)!r}, '--org', 'acme', '--dry-run', '--json']\n"
              "try:\n    main()\nexcept SystemExit as stop:\n    code = stop.code\n"
              f"print({OWN_PEAK_KB}, file=sys.stderr)\n")
    env = process_env(app_config["SQLALCHEMY_DATABASE_URI"], tmp_path / "instance")
    done = subprocess.run([PYTHON, "-c", script], env=env, cwd=ROOT, capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["rows_read"] == 200_000
    peak_mb = int(done.stderr.split()[-1]) / 1024
    assert peak_mb < 250, f"staging 200,000 rows peaked at {peak_mb:.0f} MB"


def test_the_default_size_limit_is_100_mb_and_the_refusal_says_so():
    assert Config.IMPORT_MAX_BYTES == 100 * 1024 * 1024
    assert "larger than the 100.0 MB limit" in staging.size_problem(Config.IMPORT_MAX_BYTES + 1,
                                                                     Config.IMPORT_MAX_BYTES)


def test_passwords_made_in_bulk_are_typable_distinct_and_check_against_their_hashes():
    passwords = credentials.derived_passwords(os.urandom(32), range(500))
    made = list(zip(passwords, credentials.fast_hashes(passwords)))
    assert len({password for password, _ in made}) == 500
    for password, stored in made[:20]:
        groups = password.split("-")
        assert len(groups) == credentials.GROUPS and all(len(g) == credentials.GROUP_LENGTH for g in groups)
        assert set("".join(groups)) <= set(credentials.ALPHABET)
        assert credentials.check_password(stored, password) and credentials.is_fast_hash(stored)
        assert not credentials.check_password(stored, password.upper())
