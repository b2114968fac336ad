"""Files larger than one chunk: read, cleaned and saved a chunk at a time, in bounded memory, nothing lost."""
from __future__ import annotations

import io
import json
import os
import subprocess
import zipfile
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import func, select

from tests.scale import OWN_PEAK_KB, PYTHON, ROOT, process_env
from webapp import credentials, jobs
from webapp.config import Config
from webapp.extensions import db
from webapp.imports import reading, staging
from webapp.models import ImportBatch, ImportUpload, Job, StagedRow

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


def staged_by_the_job(org, admin, name: str, data: bytes) -> tuple[ImportBatch, Job, list[tuple]]:
    """Stage a file by the background job; (batch, job, every (done, total, message) it reported)."""
    batch = staging.new_batch(org.id, admin.id, name, data, 7)
    db.session.commit()
    job = jobs.submit("import_staging", "webapp.imports.staging.stage_batch_job", org_id=org.id,
                      batch_id=batch.id)
    seen = []
    original = jobs.progress

    def recording(job_id, done, total=None, message=None):
        seen.append((done, total, message))
        original(job_id, done, total, message)

    jobs.progress = recording
    try:
        staging.stage_batch_job(batch.id, job.id)
    finally:
        jobs.progress = original
    return batch, job, seen


def test_background_staging_moves_its_progress_chunk_by_chunk(app, org, admin):
    app.config["IMPORT_CHUNK_ROWS"] = CHUNK
    batch, job, seen = staged_by_the_job(org, admin, "people.csv", chunked_file())
    assert [item[:2] for item in seen if item[0]] == [(50, 230), (100, 230), (150, 230), (200, 230), (230, 230)]
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


# Stages a file in a separate process the three ways a kept file is read (the upload, staged again in the
# request, and by the background job) and prints the rows of each, the parts kept, and the process's resident
# memory before the first and at its peak.
STAGE_THREE_WAYS = """
import json, sys
from sqlalchemy import func, select
from webapp import create_app
from webapp.extensions import db
from webapp.imports import staging, uploads
from webapp.models import ImportBatch, ImportUpload
def kb(name):
    return int(next(line.split()[1] for line in open('/proc/self/status') if line.startswith(name + ':')))
app = create_app()
with app.app_context():
    db.session.execute(select(1))
    before = kb('VmRSS')
    with open(sys.argv[1], 'rb') as stream, uploads.received(stream, app.config['IMPORT_MAX_BYTES']) as data:
        batch = staging.stage_upload(1, None, sys.argv[2], data, max_bytes=app.config['IMPORT_MAX_BYTES'],
                                     ttl_days=7)
    rows = [batch.rows_read]
    staging.restage(batch)
    rows.append(db.session.get(ImportBatch, batch.id).rows_read)
    rows.append(staging.stage_batch_job(batch.id).get('rows_read'))
    parts = db.session.scalar(select(func.count()).where(ImportUpload.batch_id == batch.id))
    print(json.dumps({"rows": rows, "parts": parts, "before_kb": before, "peak_kb": kb('VmHWM')}))
"""


def stage_three_ways(app_config, tmp_path, path, name: str) -> dict:
    env = process_env(app_config["SQLALCHEMY_DATABASE_URI"], tmp_path / "instance")
    done = subprocess.run([PYTHON, "-c", STAGE_THREE_WAYS, str(path), name], env=env, cwd=ROOT,
                          capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_a_60_mb_file_is_read_and_kept_a_block_at_a_time_however_it_is_staged(app_config, org, tmp_path):
    """Upload, restage and the staging job: memory grows with a chunk of rows, never with the file's size."""
    path = tmp_path / "wide.csv"
    notes = "n" * 900  # a column nobody imports, making each row about 1 KB
    with path.open("w", encoding="utf-8") as out:
        out.write("First Name,Last Name,Email Address,Notes\n")
        for n in range(60_000):
            out.write(f"Name{n},Family{n},person{n}@school{n % 7}.example,{notes}\n")
    size = path.stat().st_size
    report = stage_three_ways(app_config, tmp_path, path, "wide.csv")
    assert report["rows"] == [60_000, 60_000, 60_000]
    assert report["parts"] == -(-size // (1 << 20))  # kept in 1 MB parts, never one value
    grown_mb = (report["peak_kb"] - report["before_kb"]) / 1024
    # Holding the file whole, with the driver's copy of it, grew it by about 200 MB; a chunk of rows, about 50.
    assert grown_mb < 100, f"staging a {size / 2**20:.0f} MB file three ways grew the process by {grown_mb:.0f} MB"


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    """A minimal one-sheet .xlsx of text cells, its XML written directly (openpyxl takes far longer)."""
    def column(index: int) -> str:
        name, index = "", index + 1
        while index:
            index, rest = divmod(index - 1, 26)
            name = chr(65 + rest) + name
        return name

    body = io.StringIO()
    for number, values in enumerate(rows, start=1):
        body.write(f'<row r="{number}">' + "".join(
            f'<c r="{column(i)}{number}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
            for i, value in enumerate(values)) + "</row>")
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relations = "http://schemas.openxmlformats.org/package/2006/relationships"
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
        "_rels/.rels": (f'<Relationships xmlns="{relations}"><Relationship Id="rId1" '
                        f'Type="{office}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (f'<workbook xmlns="{main}" xmlns:r="{office}"><sheets>'
                            '<sheet name="People" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (f'<Relationships xmlns="{relations}"><Relationship Id="rId1" '
                                       f'Type="{office}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": (f'<worksheet xmlns="{main}"><dimension ref="A1:{column(len(rows[0]) - 1)}'
                                     f'{len(rows)}"/><sheetData>{body.getvalue()}</sheetData></worksheet>'),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def people_sheet(count: int, notes: int = 0) -> list[list[str]]:
    rows = [["First Name", "Last Name", "Email Address"] + [f"Note {k}" for k in range(notes)]]
    rows += [[f"Name{n}", f"Family{n}", f"person{n}@school{n % 7}.example"]
             + [f"note {k} about person {n}, kept in the sheet" for k in range(notes)] for n in range(count)]
    return rows


def test_a_workbook_of_50000_rows_streams_from_the_sandbox_in_bounded_memory(app_config, org, tmp_path):
    """The child writes rows as it reads them; the server keeps them on disk, not as 500,000 Python strings."""
    path = tmp_path / "people.xlsx"
    path.write_bytes(xlsx_bytes(people_sheet(50_000, notes=7)))
    report = stage_three_ways(app_config, tmp_path, path, "people.xlsx")
    assert report["rows"] == [50_000, 50_000, 50_000]
    grown_mb = (report["peak_kb"] - report["before_kb"]) / 1024
    # Every row held as Python lists grew it by about 130 MB; streamed, about 40.
    assert grown_mb < 80, f"staging a workbook of 50,000 rows three ways grew the process by {grown_mb:.0f} MB"


def test_background_staging_of_a_workbook_shows_rows_read_then_rows_saved(app, org, admin):
    app.config["IMPORT_CHUNK_ROWS"] = 5000
    batch, _, seen = staged_by_the_job(org, admin, "people.xlsx", xlsx_bytes(people_sheet(25_000)))
    reading = [(done, total) for done, total, message in seen if message == "Reading the rows" and done]
    assert reading == [(10_000, 25_001), (20_000, 25_001)]  # of the rows the sheet declares
    saving = [(done, total) for done, total, message in seen if message is None and done]
    assert saving == [(n, 25_000) for n in range(5000, 25_001, 5000)]
    assert db.session.scalar(select(func.count()).where(StagedRow.batch_id == batch.id)) == 25_000
    assert db.session.get(ImportBatch, batch.id).status == "staged"



@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_background_staging_of_a_text_file_shows_rows_read_against_a_total_its_size_suggests(app, org, admin,
                                                                                             encoding):
    """The first read of a big text file moves the bar too, before any row is saved."""
    app.config["IMPORT_CHUNK_ROWS"] = 20_000
    lines = ["First Name,Last Name,Email Address"]
    lines += [f"Name{n},{'Family' * (n % 5)}{n},person{n}@school{n % 97}.example.org" for n in range(50_000)]
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    batch, _, seen = staged_by_the_job(org, admin, "people.csv", data)
    reading = [(done, total) for done, total, message in seen if message == "Reading the rows" and done]
    assert [done for done, _ in reading] == [20_000, 40_000]
    assert all(45_000 <= total <= 55_000 for _, total in reading), reading  # about 50,000, from the file's size
    first_saved = next(index for index, (done, total, message) in enumerate(seen) if message is None and done)
    assert first_saved > max(index for index, item in enumerate(seen) if item[2] == "Reading the rows" and item[0])
    assert db.session.get(ImportBatch, batch.id).rows_read == 50_000


def ods_of_repeated_rows(count: int) -> bytes:
    """staff.ods with its last person's row repeated `count` times (as LibreOffice writes equal rows)."""
    source = zipfile.ZipFile(ROOT / "tests" / "data" / "staff.ods")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "content.xml":
                at = data.rindex(b"<table:table-row", 0, data.rindex(b"<text:p"))
                data = data[:at] + f'<table:table-row table:number-rows-repeated="{count}"'.encode() + data[at + 16:]
            target.writestr(member, data)
    return buffer.getvalue()


def test_background_staging_of_an_ods_shows_rows_read_of_those_its_sheet_holds(app, org, admin):
    batch, _, seen = staged_by_the_job(org, admin, "people.ods", ods_of_repeated_rows(25_000))
    reading = [(done, total) for done, total, message in seen if message == "Reading the rows" and done]
    assert [done for done, _ in reading] == [10_000, 20_000]
    assert all(25_000 <= total <= 25_010 for _, total in reading), reading  # the sheet's rows, header and all
    assert db.session.get(ImportBatch, batch.id).status == "staged"


@pytest.mark.parametrize("done,total,says,bar", [
    (30_000, None, "Reading the rows: 30,000 so far", '<progress aria-label="Progress">'),
    (30_000, 120_000, "Reading the rows (25%)", '<progress max="100" value="25"'),
])
def test_the_progress_bar_shows_a_share_only_when_the_total_is_known(signed_in, org, admin, done, total, says, bar):
    batch = staging.new_batch(org.id, admin.id, "people.ods", None, 7)
    job = Job(kind="import_staging", org_id=org.id, status="running", total=0)  # as a worker holds it, mid-way
    db.session.add(job)
    db.session.flush()
    batch.job_id = job.id
    db.session.commit()
    jobs.progress(job.id, done, total, "Reading the rows")
    page = signed_in.get(f"/users/import/{batch.id}/progress", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert says in page and bar in page
    assert page.count("Reading the file") == 1  # the heading, not said twice

def test_a_web_upload_over_a_megabyte_is_kept_in_parts_and_read_again_from_them(app, signed_in):
    app.config["IMPORT_BACKGROUND_ROWS"] = 20_000  # staged and restaged by the job (inline in tests), from the parts
    lines = ["First Name,Last Name,Email Address,Notes"]
    lines += [f"Name{n},Family{n},person{n}@example.com,{'x' * 60}" for n in range(25_000)]
    data = ("\n".join(lines) + "\n").encode()
    response = signed_in.post("/users/import/", data={"file": (io.BytesIO(data), "people.csv")},
                              content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    batch = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
    assert batch.job_id is not None and batch.status == "staged" and batch.rows_read == 25_000
    parts = db.session.scalars(select(ImportUpload.data).where(ImportUpload.batch_id == batch.id)
                               .order_by(ImportUpload.part)).all()
    assert len(parts) == 3 and b"".join(parts) == data
    response = signed_in.post(f"/users/import/{batch.id}/settings", data={
        "encoding": batch.encoding, "delimiter": batch.delimiter, "first_name": "1", "last_name": "0",
        "email": "2"})
    assert response.status_code == 302
    last = db.session.scalar(select(StagedRow).where(StagedRow.batch_id == batch.id, StagedRow.line == 25_001))
    assert (last.first_name, last.last_name, last.email) == ("Family24999", "Name24999", "person24999@example.com")


def test_a_long_recipient_list_is_read_a_line_at_a_time_and_a_runaway_line_refused():
    text = "To the course list\n" + "".join(f"Person {n} <person{n}@example.com>; p{n}@example.org\n"
                                            for n in range(3000))
    table = reading.read_table(text.encode(), "list.txt")
    assert len(table.head) == reading.HEAD_ROWS and table.row_count == 6000
    rows = [row for chunk in table.chunks(1000) for row in chunk]
    assert len(rows) == 6000 and rows[-1] == (3001, ["", "p2999@example.org"])
    assert [(s.line, s.reason) for s in table.skipped] == [(1, "above the first address")]
    runaway = text + "Last <last@example.com>" + "x" * 200_000 + "\n"
    with pytest.raises(reading.UnreadableFile, match="Line 3002 holds more than 100,000 characters"):
        list(reading.read_table(runaway.encode(), "list.txt").iter_rows())
