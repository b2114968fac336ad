"""Create Users a chunk at a time: no password, id or summary line held for everyone; the summary CSV is
stored gzip-compressed, sent and downloaded whole, and blanked after sending."""
from __future__ import annotations

import csv
import gzip
import io
import json
import subprocess

from sqlalchemy import func, select

from tests.scale import OWN_PEAK_KB, PYTHON, ROOT, process_env
from webapp.credentials import check_password, derived_passwords
from webapp.extensions import db
from webapp.imports import creating, staging
from webapp.mail import sender
from webapp.mail.outbox import PASSWORD_REMOVED
from webapp.models import OutboxAttachment, OutboxMessage, User

CHUNK = 50


def people_csv(count: int, *, invite_every: int = 3) -> bytes:
    """`count` people from line 2; every `invite_every`-th asks for a welcome email; line 40 repeats line 20."""
    lines = ["First Name,Last Name,Email Address,Send Invite"]
    lines += [f"Name{n},Family{n},person{n}@example.com,{'yes' if n % invite_every == 0 else 'no'}"
              for n in range(count)]
    if count > 40:
        lines[39] = lines[19]
    return ("\n".join(lines) + "\n").encode()


def stage(org, admin, data: bytes):
    batch = staging.stage_upload(org.id, admin.id, "people.csv", data, max_bytes=10**8, ttl_days=7)
    db.session.commit()
    return batch


def summary_rows(attachment_bytes: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(attachment_bytes.decode("utf-8-sig"))))


def hashes_by_email(org) -> dict[str, str]:
    return dict(db.session.execute(select(User.email, User.password_hash).where(User.org_id == org.id)).all())


def test_passwords_drawn_from_a_key_are_the_same_again_and_differ_by_key_and_number():
    key, other = bytes(32), bytes(31) + b"\1"
    made = derived_passwords(key, range(1000))
    assert derived_passwords(key, [7, 999]) == [made[7], made[999]]
    assert len(set(made)) == 1000 and derived_passwords(other, [7]) != [made[7]]
    assert all(len(p) == 23 and p.count("-") == 3 for p in made)


def test_a_file_of_several_chunks_creates_everyone_once_with_working_passwords_in_the_summary(app, org, admin):
    app.config["IMPORT_CHUNK_ROWS"] = CHUNK
    batch = stage(org, admin, people_csv(230))
    result = creating.create_users(batch.id, admin.id)
    assert (result.created, result.duplicates) == (229, 1)
    hashes = hashes_by_email(org)
    assert len(hashes) == 230  # the admin and 229 people
    summary = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "created_users_summary"))
    [attachment] = summary.attachments
    assert attachment.compressed and gzip.decompress(attachment.data) == attachment.content
    rows = summary_rows(attachment.content)
    assert [int(row["Line"]) for row in rows] == list(range(2, 232))
    created = [row for row in rows if row["Outcome"] == "Created"]
    assert len(created) == 229 and rows[38]["Outcome"] == "Ignored: duplicate"
    assert all(check_password(hashes[row["Email Address"]], row["Password"]) for row in created)
    assert len({row["Password"] for row in created}) == 229
    welcomes = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "welcome")
                                  .order_by(OutboxMessage.id)).all()
    invited = [row for row in created if int(row["Email Address"][6:].split("@")[0]) % 3 == 0]
    assert [m.to_address for m in welcomes] == [row["Email Address"] for row in invited]
    assert all(f"Password:   {row['Password']}" in m.text_body for m, row in zip(welcomes, invited))


def test_the_compressed_summary_goes_out_whole_and_the_mail_page_gives_the_blanked_copy(
        app, org, admin, signed_in, smtp_server):
    app.config["IMPORT_CHUNK_ROWS"] = CHUNK
    batch = stage(org, admin, people_csv(120, invite_every=1000))
    creating.create_users(batch.id, admin.id)
    sender.send_queued()
    hashes = hashes_by_email(org)
    [received] = [m for m in smtp_server.messages if m["To"] == admin.email]
    [part] = list(received.iter_attachments())
    assert part.get_content_type() == "text/csv" and part.get_filename().endswith(".csv")
    sent_rows = summary_rows(part.get_content().encode("utf-8"))
    assert len(sent_rows) == 120
    assert all(check_password(hashes[row["Email Address"]], row["Password"])
               for row in sent_rows if row["Outcome"] == "Created")
    summary = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "created_users_summary"))
    db.session.refresh(summary)
    attachment = db.session.scalar(select(OutboxAttachment).where(OutboxAttachment.message_id == summary.id))
    assert summary.redacted and attachment.compressed and attachment.redacted_data is None
    download = signed_in.get(f"/mail/{summary.id}/attachments/{attachment.id}")
    kept_rows = summary_rows(download.data)
    assert [row["Email Address"] for row in kept_rows] == [row["Email Address"] for row in sent_rows]
    assert {row["Password"] for row in kept_rows if row["Outcome"] == "Created"} == {PASSWORD_REMOVED}
    assert not any(row["Password"] in download.get_data(as_text=True)
                   for row in sent_rows if row["Password"])
    page = signed_in.get(f"/mail/{summary.id}").get_data(as_text=True)
    assert f"{len(download.data) / 1000:.1f} kB" in page  # the size of the file as downloaded


CREATE_IN_A_PROCESS = """
import json, sys
from webapp import create_app
from webapp.imports import creating
app = create_app()
with app.app_context():
    result = creating.create_users(int(sys.argv[1]), int(sys.argv[2]))
print(json.dumps({"created": result.created, "error": result.error,
                  "peak_kb": OWN_PEAK_KB}))
""".replace("OWN_PEAK_KB", OWN_PEAK_KB)
# Bound for the whole Create Users process (app, driver and 200,000 people); holding every
# password, id and summary line, as before, took it well past this.
PEAK_MB = 200


def test_create_users_of_200000_people_stays_in_bounded_memory(app_config, org, admin, tmp_path):
    batch = stage(org, admin, people_csv(200_000, invite_every=100))
    env = process_env(app_config["SQLALCHEMY_DATABASE_URI"], tmp_path / "instance")
    done = subprocess.run([PYTHON, "-c", CREATE_IN_A_PROCESS, str(batch.id), str(admin.id)], env=env, cwd=ROOT,
                          capture_output=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.splitlines()[-1])
    assert (report["created"], report["error"]) == (199_999, None)
    assert report["peak_kb"] / 1024 < PEAK_MB, f"Create Users of 200,000 peaked at {report['peak_kb'] / 1024:.0f} MB"
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User).where(User.org_id == org.id)) == 200_000
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "welcome")) == 2000


def test_people_created_from_a_file_are_found_by_a_folded_search_of_the_users_list(app, org, admin, signed_in):
    app.config["IMPORT_CHUNK_ROWS"] = CHUNK
    data = people_csv(60).decode() + "Renée,Núñez,renee@example.com,no\n"
    creating.create_users(stage(org, admin, data.encode()).id, admin.id)
    page = signed_in.get("/users/", query_string={"q": "nunez renee"}).get_data(as_text=True)
    assert "renee@example.com" in page and "person1@example.com" not in page
    renee = db.session.scalar(select(User).where(User.email == "renee@example.com"))
    assert (renee.first_name, renee.session_version, renee.is_active_account) == ("Renée", 0, True)


def test_every_account_of_every_chunk_records_who_created_it_and_when(app, org, admin):
    """The values all accounts share are bound once per chunk, yet each account holds them."""
    app.config["IMPORT_CHUNK_ROWS"] = CHUNK
    creating.create_users(stage(org, admin, people_csv(120, invite_every=2)).id, admin.id)
    made = db.session.scalars(select(User).where(User.org_id == org.id, User.id != admin.id)).all()
    assert len(made) == 119
    assert {(u.created_by_id, u.password_is_generated, u.is_active_account) for u in made} == {(admin.id, True, True)}
    assert len({(u.created_at, u.updated_at, u.password_set_at) for u in made}) == 1
    assert made[0].created_at == made[0].password_set_at
    assert {u.invite_status for u in made} == {"invited", "created"}
