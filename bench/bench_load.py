"""The server under load: gunicorn with 3 workers on loopback, 16 concurrent clients for 45 s.

Run: .venv/bin/python bench/bench_load.py [--clients 16] [--seconds 45] [--users 100000] [--rows 100000]
     [--single 30] [--gunicorn-args "--worker-class gthread --threads 2"]
PostgreSQL only (BENCH_PG_URL, else this machine's; skipped with a reason if none answers).
Seeds 100,000 users (one INSERT ... SELECT generate_series) and stages a 100,000-row import
through the app's own staging code, then VACUUM ANALYZE. Two phases against the same server:
  1. each kind of request on its own, one client, --single times: median latency, and the CPU
     the server spent per request (gunicorn workers and their PostgreSQL backends, read from
     /proc), which other programs on the machine do not inflate the way they inflate latency;
  2. the load: each client signs in and loops with no pause, for a bounded time and at most
     --max-requests requests, over a mix of Users list pages, searches and filters, staged-table
     pages and inline edits (POSTed with the CSRF token from the page).
Prints requests per second, p50/p95/p99 latency, errors, CPU per request (server, database,
client) and the load average, against the targets (no errors, p95 <= 500 ms).
"""
from __future__ import annotations

import argparse
import html
import http.client
import os
import random
import re
import shlex
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scratch_db import postgres_url, scratch_postgres  # noqa: E402

from tests.smtp import free_port  # noqa: E402

PASSWORD = "a-long-bench-password-42"
P95_TARGET_MS = 500
SEARCHES = ["berg", "Muller", "Doe, Jane", "user4242", "nakamura", "zoe", "example.com", "kha"]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class Client:
    """One person at a browser: keeps cookies over one keep-alive connection, no redirects.

    http.client rather than urllib: the clients share the server's two cores, so each request
    should cost the client little. Every response is read in full.
    """

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.connection: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, fields: dict | None = None,
                headers: dict | None = None) -> tuple[int, str]:
        body = urlencode(fields) if fields is not None else None
        headers = dict(headers or {})
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        reused = self.connection is not None
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
            data = response.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.close()
            if not reused:
                raise
            # The server closed an idle kept-alive connection first: send again on a new one.
            return self.request(method, path, fields, headers)
        for cookie in response.headers.get_all("Set-Cookie") or ():
            name, _, value = cookie.split(";", 1)[0].partition("=")
            if value and "expires=thu, 01 jan 1970" not in cookie.lower():
                self.cookies[name.strip()] = value.strip()
            else:
                self.cookies.pop(name.strip(), None)
        if response.will_close:
            self.close()
        return response.status, data.decode()

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def sign_in(self) -> None:
        _, page = self.request("GET", "/login")
        status, _ = self.request("POST", "/login", {"csrf_token": csrf_token(page),
                                                    "email": "admin@example.com", "password": PASSWORD})
        if status != 302:
            raise SignInFailed(f"sign-in answered HTTP {status}")


class SignInFailed(Exception):
    pass


def csrf_token(page: str) -> str:
    field = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or \
        re.search(r'"X-CSRFToken": "([^"]+)"', page)
    return html.unescape(field.group(1))


def seed(url: str, users: int, rows: int) -> int:
    """Users set-based, then a staged batch through the app's staging code; returns the batch id."""
    from flask_migrate import upgrade

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
        # The state autovacuum leaves a freshly loaded table in within a minute or so; without
        # it the 45 s run would measure PostgreSQL catching up on the load, and index-only
        # scans would still visit every heap page.
        connection = db.session.connection().connection.dbapi_connection
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        connection.autocommit = False
        print(f"staged {rows:,} rows in {time.perf_counter() - began:.0f} s", flush=True)
        db.session.remove()
        db.engine.dispose()
    return batch_id


def start_gunicorn(url: str, instance: Path, port: int, extra_args: list[str]) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if not key.startswith("FLASK_")}
    env.update({"PYTHONPATH": str(ROOT), "WEBAPP_INSTANCE_PATH": str(instance),
                "FLASK_SQLALCHEMY_DATABASE_URI": url, "FLASK_SECRET_KEY": "bench-load-secret",
                "FLASK_BASE_URL": f"http://127.0.0.1:{port}", "FLASK_MAIL_SEND_IN_BACKGROUND": "false"})
    log = open(instance / "gunicorn.log", "w")  # read back when a request failed
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "3", *extra_args,
                               "-b", f"127.0.0.1:{port}", "webapp:create_app()"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn did not start: {(instance / 'gunicorn.log').read_text()[-2000:]}")
        try:
            Client(f"http://127.0.0.1:{port}").request("GET", "/login")
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def cpu_ms(pid: int) -> float:
    """User + system CPU of one process so far, in ms (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) * 1000 / CLOCK_TICKS


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except OSError:
                pass
    return found


class CpuMeter:
    """CPU spent by the gunicorn workers and by the PostgreSQL backends serving this database.

    Parallel query workers live a moment and are not our backends' children: a sampling thread
    keeps the last reading of each, so their work is counted (a little under, at worst).
    """

    def __init__(self, server: subprocess.Popen, database: str):
        self.server, self.database = server, database
        self.parallel: dict[int, float] = {}
        self.stopping = threading.Event()
        self.sampler = threading.Thread(target=self._sample, daemon=True)
        self.sampler.start()

    def _backends(self) -> list[int]:
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                        title = cmdline.read()
                except OSError:
                    continue
                if f" {self.database} ".encode() in title and b"parallel worker" not in title:
                    found.append(int(entry))
        return found

    def _sample(self) -> None:
        # Only processes newer than the last look are read (pids grow), so this stays cheap.
        newest, watched = 0, set()
        while not self.stopping.wait(0.02):
            pids = [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]
            for pid in pids:
                if pid > newest:
                    try:
                        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                            if cmdline.read().startswith(b"postgres: parallel worker"):
                                watched.add(pid)
                    except OSError:
                        pass
            newest = max(pids, default=newest)
            for pid in list(watched):
                spent = cpu_ms(pid)
                if spent:
                    self.parallel[pid] = max(self.parallel.get(pid, 0.0), spent)
                else:
                    watched.discard(pid)

    def read(self) -> tuple[float, float, int]:
        """(gunicorn ms, PostgreSQL ms, parallel workers seen) so far."""
        web = cpu_ms(self.server.pid) + sum(cpu_ms(pid) for pid in children(self.server.pid))
        database = sum(cpu_ms(pid) for pid in self._backends()) + sum(self.parallel.values())
        return web, database, len(self.parallel)

    def stop(self) -> None:
        self.stopping.set()


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

    def fail(self, error: str) -> None:
        with self.lock:
            self.errors.append(error)


# (kind, share of the mix)
MIX = [("users page", 0.25), ("users search", 0.20), ("users filter", 0.15), ("staged page", 0.25),
       ("inline edit", 0.15)]


def make_request(kind: str, batch_id: int, rng: random.Random, row_ids: list[int]):
    """A request of this kind as an admin would make it: (method, path, fields, headers)."""
    htmx = {"HX-Request": "true"}
    if kind == "users page":
        args = {"page": rng.randint(1, 5), "sort": rng.choice(["name", "-created", "email", "signed_in"])}
        return "GET", "/users/?" + urlencode(args), None, {}
    if kind == "users search":
        return "GET", "/users/?" + urlencode({"q": rng.choice(SEARCHES)}), None, htmx
    if kind == "users filter":
        args = rng.choice([{"type": "guest"}, {"status": "invited"}, {"signed_in": "no"},
                           {"email": "failed"}, {"type": "team_manager", "sort": "name"}])
        return "GET", "/users/?" + urlencode(args), None, htmx
    if kind == "staged page":
        return "GET", f"/users/import/{batch_id}?" + urlencode({"page": rng.randint(1, 50)}), None, {}
    row_id = rng.choice(row_ids)
    n = rng.randint(0, 10**6)
    fields = {"first_name": f"Edited{n}", "last_name": "Person", "email": f"edited{n}@example.org",
              "account_type": "user"}
    return "POST", f"/users/import/{batch_id}/rows/{row_id}", fields, htmx


def pick_kind(rng: random.Random) -> str:
    roll, below = rng.random(), 0.0
    for kind, share in MIX:
        below += share
        if roll < below:
            return kind
    return MIX[-1][0]


class Admin:
    """A signed-in client with its CSRF token and some staged rows to edit."""

    def __init__(self, base_url: str, batch_id: int, seed: int):
        self.client = Client(base_url)
        self.client.sign_in()
        self.batch_id, self.rng = batch_id, random.Random(seed)
        status, page = self.client.request("GET", f"/users/import/{batch_id}?page={seed + 1}")
        self.row_ids = [int(found) for found in re.findall(rf"/users/import/{batch_id}/rows/(\d+)/edit", page)]
        if status != 200 or not self.row_ids:
            raise SignInFailed(f"staged table page answered HTTP {status}")
        self.token = csrf_token(page)

    def do(self, kind: str) -> tuple[float, str | None]:
        """Make one request of this kind; (ms, error or None)."""
        method, path, fields, headers = make_request(kind, self.batch_id, self.rng, self.row_ids)
        if fields is not None:
            fields = {"csrf_token": self.token, **fields}
        began = time.perf_counter()
        error = None
        try:
            status, _ = self.client.request(method, path, fields, headers)
            if status != 200:
                error = f"HTTP {status} for {method} {path}"
        except (OSError, http.client.HTTPException) as exc:
            error = f"{exc!r} for {method} {path}"
            self.client.close()
        return (time.perf_counter() - began) * 1000, error


def run_client(base_url: str, batch_id: int, seed: int, until: float, max_requests: int,
               results: Results) -> None:
    try:
        admin = Admin(base_url, batch_id, seed)
    except (SignInFailed, OSError, http.client.HTTPException) as exc:
        results.fail(f"client {seed}: {exc!r}")
        return
    done = 0
    while time.monotonic() < until and done < max_requests:
        kind = pick_kind(admin.rng)
        ms, error = admin.do(kind)
        results.add(kind, ms, error)
        done += 1
    admin.client.close()


def single_client(base_url: str, batch_id: int, meter: CpuMeter, runs: int) -> list[str]:
    """Each kind on its own: median latency and server CPU per request. Returns errors."""
    admin = Admin(base_url, batch_id, 99)
    errors = []
    print(f"\nOne client, each kind on its own ({runs} requests each after 3 warm-up):")
    print(f"{'kind':<14} {'p50 ms':>8} {'web CPU ms':>11} {'db CPU ms':>10} {'server CPU ms':>14}")
    for kind, _ in MIX:
        for _ in range(3):
            admin.do(kind)
        web0, db0, _ = meter.read()
        latencies = []
        for _ in range(runs):
            ms, error = admin.do(kind)
            latencies.append(ms)
            if error:
                errors.append(f"{kind}: {error}")
        web1, db1, _ = meter.read()
        web, database = (web1 - web0) / runs, (db1 - db0) / runs
        print(f"{kind:<14} {statistics.median(latencies):>8.1f} {web:>11.1f} {database:>10.1f} "
              f"{web + database:>14.1f}", flush=True)
    admin.client.close()
    return errors


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
    parser.add_argument("--single", type=int, default=30, help="requests per kind in phase 1 (0 skips it)")
    parser.add_argument("--gunicorn-args", default="", help="extra gunicorn options, to compare settings")
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
        server = start_gunicorn(url, Path(folder), port, shlex.split(args.gunicorn_args))
        meter = CpuMeter(server, url.rsplit("/", 1)[1])
        base_url = f"http://127.0.0.1:{port}"
        try:
            errors = single_client(base_url, batch_id, meter, args.single) if args.single else []
            results = Results()
            results.errors += errors
            load_before = os.getloadavg()[0]
            until = time.monotonic() + args.seconds
            web0, db0, parallel0 = meter.read()
            client0 = time.process_time()
            began = time.perf_counter()
            threads = [threading.Thread(target=run_client, args=(base_url, batch_id, n, until,
                                                                 args.max_requests, results))
                       for n in range(args.clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - began
            client_ms = (time.process_time() - client0) * 1000
            web1, db1, parallel1 = meter.read()
        finally:
            meter.stop()
            server.terminate()
            server.wait(timeout=30)
        log = (Path(folder) / "gunicorn.log").read_text()
    every = [ms for values in results.latencies.values() for ms in values]
    count = max(1, len(every))
    print(f"\n{args.clients} clients, {elapsed:.0f} s, gunicorn 3 workers {args.gunicorn_args}, PostgreSQL, "
          f"{args.users:,} users, {args.rows:,} staged rows "
          f"(load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} CPUs)")
    print(f"{'kind':<14} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, values in sorted(results.latencies.items()):
        print(f"{kind:<14} {len(values):>9} {statistics.median(values):>8.0f} "
              f"{percentile(values, 0.95):>8.0f} {percentile(values, 0.99):>8.0f}")
    p95 = percentile(every, 0.95) if every else float("inf")
    print(f"{'all':<14} {len(every):>9} {statistics.median(every) if every else 0:>8.0f} {p95:>8.0f} "
          f"{percentile(every, 0.99) if every else 0:>8.0f}")
    print(f"CPU per request: web {(web1 - web0) / count:.1f} ms, database {(db1 - db0) / count:.1f} ms "
          f"({parallel1 - parallel0} parallel query workers), client {client_ms / count:.1f} ms")
    print(f"\n{len(every) / elapsed:.1f} requests/s; errors: {len(results.errors)}; "
          f"p95 {p95:.0f} ms against the target of {P95_TARGET_MS} ms: "
          f"{'OK' if p95 <= P95_TARGET_MS and not results.errors else 'MISSED'}")
    for error in results.errors[:10]:
        print("  ", error)
    if results.errors:
        tracebacks = [line for line in log.splitlines() if not line.startswith("[")]
        print("gunicorn's log, last lines:\n" + "\n".join(tracebacks[-30:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
