"""The real app under gunicorn with three worker processes, driven over plain HTTP.

Sessions, staged imports, job progress and sign-in throttling live in the database, so it
does not matter which worker answers: the access log (with each worker's pid) shows they
were spread over several.
"""
from __future__ import annotations

import html
import os
import re
import subprocess
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import (
    HTTPCookieProcessor,
    HTTPRedirectHandler,
    Request,
    build_opener,
)

import pytest

from tests.conftest import TEST_PASSWORD
from tests.scale import PYTHON, ROOT, process_env
from tests.smtp import free_port

WORKERS = 3
MAX_FAILURES = 5


class NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Page:
    def __init__(self, status: int, headers, text: str):
        self.status, self.headers, self.text = status, headers, text

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def csrf_token(self) -> str:
        field = re.search(r'<input[^>]*name="csrf_token"[^>]*>', self.text)
        assert field, f"no csrf_token on the page: {self.status} {self.text[:300]}"
        return html.unescape(re.search(r'value="([^"]+)"', field.group(0)).group(1))


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects by itself."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()), NoRedirects())

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Page:
        request = Request(self.base_url + path, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                return Page(response.status, response.headers, response.read().decode())
        except HTTPError as answer:  # 3xx (not followed) and 4xx answers
            return Page(answer.code, answer.headers, answer.read().decode())

    def get(self, path: str, **headers) -> Page:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, fields: dict) -> Page:
        body = urlencode(fields).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def upload(self, path: str, fields: dict, filename: str, data: bytes) -> Page:
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                 for name, value in fields.items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                     f"Content-Type: text/csv\r\n\r\n".encode() + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", path, b"".join(parts),
                            {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def submit(self, page_path: str, fields: dict, action: str | None = None) -> Page:
        """Open a form page and post it back with its CSRF token, as a person would."""
        token = self.get(page_path).csrf_token()
        return self.post(action or page_path, {"csrf_token": token, **fields})


@pytest.fixture
def gunicorn(database_url, tmp_path):
    """The app under gunicorn with WORKERS workers; yields (base URL, access log path)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    access_log = tmp_path / "access.log"
    env = process_env(database_url, tmp_path / "instance", BASE_URL=base_url,
                      IMPORT_BACKGROUND_ROWS=10, SIGNIN_MAX_FAILURES_PER_ACCOUNT=MAX_FAILURES)
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
         "--access-logfile", str(access_log), "--access-logformat", '%(p)s "%(r)s" %(s)s',
         "webapp:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait_until_up(server, base_url)
        yield base_url, access_log
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_up(server: subprocess.Popen, base_url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            reason = f"gunicorn could not start: {server.stderr.read()[-2000:]}"
            if os.environ.get("CI"):
                pytest.fail(reason)
            pytest.skip(reason)
        try:
            Browser(base_url).get("/login")
            return
        except URLError:
            time.sleep(0.1)
    server.terminate()
    pytest.fail("gunicorn did not answer within 30 seconds")


def _pids_by_request(access_log, request_line: str = "", *, at_least: int = 1) -> Counter:
    """How many requests (containing `request_line`) each worker process answered.

    Workers write their log lines when they get to it: wait until `at_least` lines are there.
    """
    deadline = time.monotonic() + 30
    while True:
        served = Counter(line.split(" ", 1)[0] for line in access_log.read_text().splitlines()
                         if request_line in line)
        if sum(served.values()) >= at_least or time.monotonic() > deadline:
            return served
        time.sleep(0.05)


def _until_two_workers_answered(base_url: str, access_log) -> Counter:
    """Which worker answers is the kernel's choice: send bursts of requests until two have (60 s at most)."""
    deadline = time.monotonic() + 60
    while True:
        served = _pids_by_request(access_log)
        if len(served) >= 2 or time.monotonic() > deadline:
            return served
        with ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(lambda _: Browser(base_url).get("/login"), range(WORKERS * 2)))


def _wait_for_job(browser: Browser, batch_id: int) -> Page:
    """Poll the progress bar (HTMX's way) until it says the job is over."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        progress = browser.get(f"/users/import/{batch_id}/progress", **{"HX-Request": "true"})
        if progress.status == 286:
            return progress
        assert progress.status == 200, progress.text
        time.sleep(0.1)
    raise AssertionError("the job did not finish")


def test_three_workers_share_sessions_imports_jobs_and_throttling(gunicorn):
    base_url, access_log = gunicorn
    admin = Browser(base_url)

    # First run: set up the organisation; the session cookie then works on every worker.
    assert admin.get("/").location.endswith("/setup")
    setup = admin.submit("/setup", {"org_name": "Scale Learning", "first_name": "Sam", "last_name": "Admin",
                                    "email": "sam@example.com", "password": TEST_PASSWORD,
                                    "confirm": TEST_PASSWORD})
    assert setup.status == 302, setup.text
    for _ in range(12):
        users = admin.get("/users/")
        assert users.status == 200 and "sam@example.com" in users.text

    # Create User on one worker; every worker lists the new person.
    created = admin.submit("/users/new", {"first_name": "Rosa", "last_name": "Parks",
                                          "email": "rosa@example.com", "account_type": "user"})
    assert created.status == 302, created.text
    for _ in range(6):
        assert "rosa@example.com" in admin.get("/users/?q=rosa").text

    # File Import: staging and Create Users run as jobs in one worker; others show progress.
    rows = "".join(f"Learner,Number{n},learner{n}@example.com\n" for n in range(25))
    token = admin.get("/users/import/").csrf_token()
    uploaded = admin.upload("/users/import/", {"csrf_token": token}, "learners.csv",
                            f"First Name,Last Name,Email Address\n{rows}".encode())
    assert uploaded.status == 302, uploaded.text
    batch_id = int(uploaded.location.rstrip("/").rsplit("/", 1)[1])
    _wait_for_job(admin, batch_id)
    confirm = admin.get(f"/users/import/{batch_id}/create")
    assert "25 users will be created." in confirm.text
    pressed = admin.post(f"/users/import/{batch_id}/create", {"csrf_token": confirm.csrf_token()})
    assert pressed.status == 302, pressed.text
    finished = _wait_for_job(admin, batch_id)
    assert finished.headers["HX-Redirect"] == f"/users/?batch={batch_id}"
    again = admin.post(f"/users/import/{batch_id}/create", {"csrf_token": confirm.csrf_token()})
    assert "These users have already been created." in admin.get(again.location).text
    for _ in range(6):
        listed = admin.get(f"/users/?batch={batch_id}&q=learner24")
        assert "learner24@example.com" in listed.text

    # Throttling: failed sign-ins are counted in the database, whichever worker took them.
    # Three at the same moment keep three workers busy at once, so they land on different ones.
    attackers = [Browser(base_url) for _ in range(WORKERS)]
    tokens = [attacker.get("/login").csrf_token() for attacker in attackers]
    wrong = {"email": "sam@example.com", "password": "wrong-guess"}
    with ThreadPoolExecutor(WORKERS) as pool:
        together = list(pool.map(lambda a, t: a.post("/login", {"csrf_token": t, **wrong}).status,
                                 attackers, tokens))
    assert together == [401] * WORKERS
    later = [attackers[0].submit("/login", wrong).status for _ in range(MAX_FAILURES - WORKERS + 3)]
    assert later == [401] * (MAX_FAILURES - WORKERS) + [429] * 3
    refused = attackers[1].submit("/login", {"email": "sam@example.com", "password": TEST_PASSWORD})
    assert refused.status == 429 and "Too many failed sign-ins" in refused.text

    served = _pids_by_request(access_log, at_least=50)
    assert sum(served.values()) >= 50
    served = _until_two_workers_answered(base_url, access_log)
    assert len(served) >= 2, f"every request went to one worker: {served}"
    sign_ins = _pids_by_request(access_log, '"POST /login ', at_least=MAX_FAILURES + 4)
    assert sum(sign_ins.values()) == MAX_FAILURES + 4
    assert len(sign_ins) >= 2, f"every sign-in went to one worker: {sign_ins}"
