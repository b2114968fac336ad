"""Server time of every staged-table request of issue 14 point 2, with 100,000 staged rows.

Run: .venv/bin/python bench/bench_staged_table.py [--rows 100000] [--runs 5] [--only WORD]
SQLite always; PostgreSQL too when it answers (BENCH_PG_URL, or this machine's; =off skips).
The batch is staged through the app's own set-based staging; each figure is the median of --runs
requests through the Flask test client (no network), against the 100 ms target. Changing requests
alternate their values, so every run really changes rows; an Undo is timed after an untimed change.
"""
from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import PASSWORD, build_app, make_csv, new_org  # noqa: E402
from scratch_db import bench_databases  # noqa: E402

from webapp.extensions import db  # noqa: E402

TARGET_MS = 100
HX = {"HX-Request": "true"}


def stage(app, rows: int):
    """A batch of `rows` rows (every 50th email invalid, every 100th a misspelt domain); (id, admin, rows)."""
    from webapp.imports import staging
    from webapp.models import StagedRow, User

    with app.app_context():
        org_id = new_org(f"t{uuid.uuid4().hex[:6]}").id
        admin = db.session.scalars(db.select(User).filter_by(org_id=org_id)).first()
        data, start = make_csv(rows, typo_every=100), time.perf_counter()
        batch_id = staging.stage_upload(org_id, admin.id, "bench.csv", data, max_bytes=len(data), ttl_days=1).id
        print(f"  staged {rows:,} rows in {time.perf_counter() - start:.1f} s", flush=True)
        if db.engine.dialect.name == "postgresql":  # as autovacuum would soon after staging: a steady state
            db.session.commit()
            db.session.execute(db.text("ANALYZE staged_rows, staged_search"))
            db.session.commit()
        ids = db.session.scalars(db.select(StagedRow.id).filter_by(batch_id=batch_id).order_by(StagedRow.line)).all()
        return batch_id, admin.email, ids


def operations(base: str, rows: int, ids: list[int]):
    """(name, setup or None, request maker) for every operation; a maker takes the run number."""
    last = -(-rows // 50)
    middle = ids[len(ids) // 2]
    selection = [str(i) for i in ids[1000:1050]]
    types = itertools.cycle(["team_manager", "admin", "guest", "user"])

    def get(url):
        return lambda run: ("get", url, None)

    def bulk(action, scope="all_matching", q="", filter_name="all", **extra):
        def make(run):
            chosen = action(run) if callable(action) else action
            data = {"action": chosen, "account_type": "user", "scope": scope, "q": q, **extra,
                    "filter": "removed" if chosen == "restore" else filter_name}
            if data["action"] == "set_type":
                data["account_type"] = extra.get("account_type") or next(types)
            if scope == "selected":
                data["row"] = selection
            return "post", f"{base}/bulk", data
        return make

    def invite(run):
        return ("invite_on", "invite_off")[run % 2]

    def replace(scope="all_matching", q=""):
        def make(run):  # Last1 -> Lest1 and back: each run changes the same 11,111 rows ("Lest" is in no other name)
            find, replacement = (("Last1", "Lest1"), ("Lest1", "Last1"))[run % 2]
            data = {"column": "last_name", "find": find, "replacement": replacement, "scope": scope,
                    "filter": "all", "q": q}
            if scope == "selected":
                data["row"] = selection
            return "post", f"{base}/replace", data
        return make

    def undo_after(change):
        return change, lambda run: ("post", f"{base}/undo/LATEST", {"filter": "all"})

    edits = itertools.cycle(["Edited", "Again"])

    def removed_afresh(run):
        return [bulk("restore", q="Last1")(run), bulk("remove", q="Last1")(run)]

    ops = [
        ("first page (whole page)", None, lambda run: ("get-page", base, None)),
        ("page 1", None, get(base + "?page=1")),
        ("page 2", None, get(base + "?page=2")),
        ("middle page", None, get(base + f"?page={last // 2}")),
        ("last page", None, get(base + f"?page={last}")),
        *((f"filter {name}", None, get(base + f"?filter={name}"))
          for name in ("all", "problems", "ready", "existing", "duplicates", "created", "failed", "removed")),
        ("filter ready, middle page", None, get(base + f"?filter=ready&page={last // 2}")),
        ("search 'Last4242' (11 rows)", None, get(base + "?q=Last4242")),
        ("search 'Last1' (11,111 rows)", None, get(base + "?q=Last1")),
        ("search 'Last1', page 100", None, get(base + "?q=Last1&page=100")),
        ("search 'example' (98,000 rows)", None, get(base + "?q=example")),
        ("inline edit", None, lambda run: ("post", f"{base}/rows/{middle}",
                                           {"first_name": next(edits), "last_name": "Row",
                                            "email": f"edited{run}@example.com", "account_type": "user"})),
        ("row account type", None, lambda run: ("post", f"{base}/rows/{middle}/choice",
                                                {"field": "account_type", "account_type": next(types)})),
        ("row Send Invite", None, lambda run: ("post", f"{base}/rows/{middle}/choice",
                                               {"field": "send_invite", **({"send_invite": "y"} if run % 2 else {})})),
        ("remove a row / restore it", None, lambda run: (
            "post", f"{base}/rows/{ids[run // 2 + 10]}/{('remove', 'restore')[run % 2]}", {})),
        ("bulk set type, all rows", None, bulk("set_type")),
        ("bulk set type, search", None, bulk("set_type", q="Last1")),
        ("bulk set type, 50 selected", None, bulk("set_type", scope="selected")),
        ("bulk Send Invite, all rows", None, bulk(invite)),
        ("bulk Send Invite, search", None, bulk(invite, q="Last1")),
        ("bulk Send Invite, 50 selected", None, bulk(invite, scope="selected")),
        ("bulk remove/restore, search", None, bulk(lambda run: ("remove", "restore")[run % 2], q="Last1")),
        ("bulk remove/restore, 50 selected", None, bulk(lambda run: ("remove", "restore")[run % 2],
                                                        scope="selected")),
        ("bulk remove/restore, all rows", None, bulk(lambda run: ("remove", "restore")[run % 2])),
        ("find and replace, all rows", None, replace()),
        ("find and replace, 50 selected", None, replace("selected")),
        # Each Undo puts the rows back as staged (type user, no invite), so the same change changes them every run.
        ("undo bulk set type, all rows", *undo_after(bulk("set_type", account_type="team_manager"))),
        ("undo bulk Send Invite, all rows", *undo_after(bulk("invite_on"))),
        ("undo bulk remove, search", *undo_after(bulk("remove", q="Last1"))),
        # Always Last1 -> Lest1: the Undo before puts the names back, so every run undoes 11,111 real changes.
        ("undo find and replace, all rows", *undo_after(lambda run: replace()(0))),
        # The search's 11,111 rows removed afresh (kept apart), then a change of other rows: it reads none of them.
        ("inline edit after a search's removal", removed_afresh,
         lambda run: ("post", f"{base}/rows/{middle}", {"first_name": next(edits), "last_name": "Row",
                                                        "email": f"after{run}@example.com", "account_type": "user"})),
        ("bulk set type after a search's removal", removed_afresh, bulk("set_type")),
        ("bulk Send Invite after a search's removal", removed_afresh, bulk(invite)),
    ]
    return ops


def request(app, client, batch_id: int, made, setup: bool = False) -> float:
    """Send one request; its time in ms (asserting it answered 200 without an error banner; a setup's request may
    find nothing to change, as a restore before anything was removed)."""
    from webapp.imports import table_undo
    from webapp.models import ImportBatch

    method, url, data = made
    if "LATEST" in url:
        with app.app_context():
            url = url.replace("LATEST", str(table_undo.latest_undo(db.session.get(ImportBatch, batch_id)).id))
    headers = {} if method == "get-page" else HX
    start = time.perf_counter()
    response = getattr(client, "get" if method == "get-page" else method)(url, data=data, headers=headers)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, response.status_code)
    refused = b"banner-error" in response.data and not (setup and b"Nothing changed" in response.data)
    assert not refused, (url, data, response.data[:3000])
    return elapsed


def bench(app, label: str, rows: int, runs: int, only: str, apply_runs: int) -> None:
    batch_id, admin_email, ids = stage(app, rows)
    client = app.test_client()
    client.post("/login", data={"email": admin_email, "password": PASSWORD})
    base = f"/users/import/{batch_id}"
    client.get(base)  # untimed: the process's first page compiles its templates, which a running server has done
    over = []
    _floors(app, client, base, batch_id, ids, runs, label)
    for name, setup, make in operations(base, rows, ids):
        if only and not any(word.lower() in name.lower() for word in only.split(",")):
            continue
        times = []
        # A remove and its restore alternate, as a replace and its reverse and a tick and its clearing do: an even
        # count leaves every row as staged for the next figure (whose first run must change rows: a change of none
        # is refused, with no Undo).
        paired = "remove/restore" in name or name.startswith("find") or "Send Invite" in name
        for run in range(runs + runs % 2 if paired else runs):
            if setup is not None:
                made = setup(run)
                for each in made if isinstance(made, list) else [made]:
                    request(app, client, batch_id, each, setup=True)
            times.append(request(app, client, batch_id, make(run)))
        _report(label, name, times, over)
    if not only or "suggest" in only.lower():
        _suggestions(app, client, base, batch_id, label, apply_runs, over)
    load = os.getloadavg()
    print(f"[{label}] {len(over)} over {TARGET_MS} ms{': ' + ', '.join(over) if over else ''} "
          f"(load {load[0]:.1f} {load[1]:.1f})", flush=True)


def _floors(app, client, base, batch_id, ids, runs, label) -> None:
    """What the machine gives right now: the lightest request of the table (one row drawn), and a bare
    count of the batch's rows (any statement that reads every row costs at least this)."""
    row = statistics.median(request(app, client, batch_id, ("get", f"{base}/rows/{ids[5]}", None))
                            for _ in range(runs))
    with app.app_context():
        def count():
            start = time.perf_counter()
            db.session.execute(db.text("SELECT count(*) FROM staged_rows WHERE batch_id = :b"), {"b": batch_id})
            db.session.rollback()
            return (time.perf_counter() - start) * 1000
        bare = statistics.median(count() for _ in range(runs))
    print(f"[{label}] floor: one-row request {row:.1f} ms; bare count of the batch's rows {bare:.1f} ms "
          f"(load {os.getloadavg()[0]:.1f})", flush=True)


def _suggestions(app, client, base, batch_id, label, runs, over) -> None:
    """Apply all suggested fixes, then undo it: each run puts the misspellings back first."""
    from webapp.models import StagedRow

    apply_times, undo_times = [], []
    for _ in range(runs):
        with app.app_context():  # the 1,000 misspelt domains again, as staged
            db.session.execute(db.update(StagedRow).where(StagedRow.batch_id == batch_id,
                                                          StagedRow.email.like("%@gmail.com"))
                               .values(email=db.func.replace(StagedRow.email, "@gmail.com", "@gmial.com"),
                                       suggested_email=StagedRow.email))
            db.session.commit()
        # This reset is the bench's own write, not a request's: a moment for the server's background work after
        # it (SQLite's checkpoint of it), as an admin's click never follows such a write within a millisecond.
        time.sleep(0.3)
        apply_times.append(request(app, client, batch_id, ("post", f"{base}/suggestions", {"filter": "all"})))
        undo_times.append(request(app, client, batch_id, ("post", f"{base}/undo/LATEST", {"filter": "all"})))
    _report(label, "apply all suggested fixes (1,000)", apply_times, over)
    _report(label, "undo apply all suggested fixes", undo_times, over)


def _report(label, name, times, over) -> None:
    figure = statistics.median(times)
    if figure > TARGET_MS:
        over.append(name)
    print(f"[{label}] {name:36s} {figure:7.1f} ms  (min {min(times):6.1f}, max {max(times):6.1f})  "
          f"{'ok' if figure <= TARGET_MS else f'OVER {TARGET_MS} ms'}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="run only operations whose name contains this (or one of these, comma-separated)")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    print(f"Staged table, {args.rows:,} rows: median of {args.runs} runs per request, target {TARGET_MS} ms "
          f"(load {os.getloadavg()[0]:.1f})", flush=True)
    for label, url in bench_databases("bench_staged_table"):
        if args.sqlite_only and label != "sqlite":
            continue
        with tempfile.TemporaryDirectory() as instance:
            app = build_app(url, instance)
            bench(app, label, args.rows, args.runs, args.only, max(3, args.runs))
            with app.app_context():
                db.engine.dispose()


if __name__ == "__main__":
    main()
