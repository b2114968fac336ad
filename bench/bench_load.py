"""The server under load: gunicorn with 3 workers on loopback, 16 concurrent clients for 45 s.

Run: .venv/bin/python bench/bench_load.py [--clients 16] [--seconds 45] [--users 100000] [--rows 100000]
PostgreSQL only (BENCH_PG_URL, else this machine's; skipped with a reason if none answers).
Seeds 100,000 users (one INSERT ... SELECT generate_series) and stages a 100,000-row import
through the app's own staging code, then each client signs in and loops, for a bounded time
and at most --max-requests requests, over a mix of Users list pages, searches and filters,
staged-table pages and inline edits (POSTed with the CSRF token from the page).
Prints requests per second, p50/p95/p99 latency and the error count, against the targets
(no errors, p95 <= 500 ms).
"""
from __future__ import annotations

import argparse
import html
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scratch_db import postgres_url, scratch_postgres  # noqa: E402

from tests.smtp import free_port  # noqa: E402

PASSWORD = "a-long-bench-password-42"
P95_TARGET_MS = 500
SEARCHES = ["berg", "Muller", "Doe, Jane", "user4242", "nakamura", "zoe", "example.com", "kha"]


class NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """One person at a browser: keeps cookies, reads CSRF tokens, does not follow redirects."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()), NoRedirects())

    def request(self, method: str, path: str, fields: dict | None = None,
                headers: dict | None = None) -> tuple[int, str]:
        body = urlencode(fields).encode() if fields is not None else None
        headers = {**(headers or {}),
                   **({"Content-Type": "application/x-www-form-urlencoded"} if body else {})}
        request = Request(self.base_url + path, data=body, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except HTTPError as answer:
            return answer.code, answer.read().decode()

    def sign_in(self) -> None:
        _, page = self.request("GET", "/login")
        status, _ = self.request("POST", "/login", {"csrf_token": csrf_token(page),
                                                    "email": "admin@example.com", "password": PASSWORD})
        assert status == 302, f"sign-in failed: {status}"


def csrf_token(page: str) -> str:
    field = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or \
        re.search(r'"X-CSRFToken": "([^"]+)"', page)
    return html.unescape(field.group(1))


def seed(url: str, users: int, rows: int) -> int:
    """Users set-based, then a staged batch through the app's staging code; returns the batch id."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    import bench_users_list
    from webapp import create_app
    from webapp.auth.services import create_organisation
    from webapp.extensions import db
    from webapp.imports import staging

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                      "JOBS_IN_PROCESS": False, "BASE_URL": "http://bench"})
    with app.app_context():
        upgrade()
        created, _ = create_organisation(name="Load", slug="load", admin_email="admin@example.com",
                                         admin_first_name="Ada", admin_last_name="Admin",
                                         admin_password=PASSWORD)
        bench_users_list.PG_USERS = users
        began = time.perf_counter()
        bench_users_list.seed_postgres([created.org.id])
        print(f"seeded {users:,} users in {time.perf_counter() - began:.0f} s", flush=True)
        began = time.perf_counter()
        lines = ["First Name,Last Name,Email Address"] + [
            f"Staged{n},Person{n},staged{n}@example.org" for n in range(rows)]
        batch = staging.stage_upload(created.org.id, created.admin.id, "load.csv",
                                     ("\r\n".join(lines) + "\r\n").encode(), max_bytes=10**9,
                                     ttl_days=7)
        batch_id = batch.id
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        print(f"staged {rows:,} rows in {time.perf_counter() - began:.0f} s", flush=True)
        db.session.remove()
        db.engine.dispose()
    return batch_id


def start_gunicorn(url: str, instance: Path, port: int) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if not key.startswith("FLASK_")}
    env.update({"PYTHONPATH": str(ROOT), "WEBAPP_INSTANCE_PATH": str(instance),
                "FLASK_SQLALCHEMY_DATABASE_URI": url, "FLASK_SECRET_KEY": "bench-load-secret",
                "FLASK_BASE_URL": f"http://127.0.0.1:{port}", "FLASK_MAIL_SEND_IN_BACKGROUND": "false"})
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "3", "-b", f"127.0.0.1:{port}",
                               "webapp:create_app()"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn did not start: {server.stderr.read()[-2000:]}")
        try:
            Client(f"http://127.0.0.1:{port}").request("GET", "/login")
            return server
        except URLError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {}
        self.errors: list[str] = []

    def add(self, kind: str, ms: float, error: str | None) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(ms)
            if error:
                self.errors.append(f"{kind}: {error}")


def one_request(client: Client, batch_id: int, rng: random.Random, row_ids: list[int]):
    """Pick an action like an admin would; return (kind, method, path, fields, headers, ok statuses)."""
    htmx = {"HX-Request": "true"}
    roll = rng.random()
    if roll < 0.25:
        args = {"page": rng.randint(1, 5), "sort": rng.choice(["name", "-created", "email", "signed_in"])}
        return "users page", "GET", "/users/?" + urlencode(args), None, {}
    if roll < 0.45:
        return "users search", "GET", "/users/?" + urlencode({"q": rng.choice(SEARCHES)}), None, htmx
    if roll < 0.60:
        args = rng.choice([{"type": "guest"}, {"status": "invited"}, {"signed_in": "no"},
                           {"email": "failed"}, {"type": "team_manager", "sort": "name"}])
        return "users filter", "GET", "/users/?" + urlencode(args), None, htmx
    if roll < 0.85:
        args = {"page": rng.randint(1, 50)}
        return "staged page", "GET", f"/users/import/{batch_id}?" + urlencode(args), None, {}
    row_id = rng.choice(row_ids)
    n = rng.randint(0, 10**6)
    fields = {"first_name": f"Edited{n}", "last_name": "Person", "email": f"edited{n}@example.org",
              "account_type": "user"}
    return "inline edit", "POST", f"/users/import/{batch_id}/rows/{row_id}", fields, htmx


def run_client(base_url: str, batch_id: int, seed: int, until: float, max_requests: int,
               results: Results) -> None:
    client = Client(base_url)
    client.sign_in()
    rng = random.Random(seed)
    status, page = client.request("GET", f"/users/import/{batch_id}?page={seed + 1}")
    row_ids = [int(found) for found in re.findall(rf"/users/import/{batch_id}/rows/(\d+)/edit", page)]
    token = csrf_token(page)
    assert status == 200 and row_ids, f"staged table page: {status}"
    done = 0
    while time.monotonic() < until and done < max_requests:
        kind, method, path, fields, headers = one_request(client, batch_id, rng, row_ids)
        if fields is not None:
            fields = {"csrf_token": token, **fields}
        began = time.perf_counter()
        error = None
        try:
            status, text = client.request(method, path, fields, headers)
            if status != 200:
                error = f"HTTP {status} for {method} {path}"
        except (URLError, OSError) as exc:
            error = f"{exc} for {method} {path}"
        results.add(kind, (time.perf_counter() - began) * 1000, error)
        done += 1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=45)
    parser.add_argument("--max-requests", type=int, default=20_000, help="per client")
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    server_url = postgres_url()
    if server_url is None:
        print("Skipped: the load benchmark runs on PostgreSQL and none answers.")
        return 0
    import tempfile

    with scratch_postgres(server_url, "bench_load") as url, tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("WEBAPP_INSTANCE_PATH", folder)
        batch_id = seed(url, args.users, args.rows)
        port = free_port()
        server = start_gunicorn(url, Path(folder), port)
        try:
            results = Results()
            base_url = f"http://127.0.0.1:{port}"
            until = time.monotonic() + args.seconds
            began = time.perf_counter()
            threads = [threading.Thread(target=run_client, args=(base_url, batch_id, n, until,
                                                                 args.max_requests, results))
                       for n in range(args.clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - began
        finally:
            server.terminate()
            server.wait(timeout=30)
    every = [ms for values in results.latencies.values() for ms in values]
    print(f"\n{args.clients} clients, {elapsed:.0f} s, gunicorn 3 workers, PostgreSQL, "
          f"{args.users:,} users, {args.rows:,} staged rows "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print(f"{'kind':<14} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, values in sorted(results.latencies.items()):
        print(f"{kind:<14} {len(values):>9} {statistics.median(values):>8.0f} "
              f"{percentile(values, 0.95):>8.0f} {percentile(values, 0.99):>8.0f}")
    p95 = percentile(every, 0.95)
    print(f"{'all':<14} {len(every):>9} {statistics.median(every):>8.0f} {p95:>8.0f} "
          f"{percentile(every, 0.99):>8.0f}")
    print(f"\n{len(every) / elapsed:.1f} requests/s; errors: {len(results.errors)}; "
          f"p95 {p95:.0f} ms against the target of {P95_TARGET_MS} ms: "
          f"{'OK' if p95 <= P95_TARGET_MS and not results.errors else 'MISSED'}")
    for error in results.errors[:10]:
        print("  ", error)
    return 0


if __name__ == "__main__":
    sys.exit(main())
