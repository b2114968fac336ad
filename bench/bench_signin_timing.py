"""Sign-in timing: wrong-password answers for an unknown address, a generated password, a
chosen password and a deactivated account, side by side, at production hashing cost.

Run: .venv/bin/python bench/bench_signin_timing.py [--tries 40]
The four cases are interleaved (one of each per round) so machine load hits them alike.
The answer time should not tell them apart: compare the medians and the spreads.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp import create_app, credentials  # noqa: E402
from webapp.extensions import db  # noqa: E402

PASSWORD = "the-real-password-of-this-bench"
CASES = ("unknown", "generated", "chosen", "deactivated")


def build_app(instance: str):
    from flask_migrate import upgrade

    os.environ["WEBAPP_INSTANCE_PATH"] = instance
    # Not TESTING: chosen passwords and the dummy check use werkzeug's full scrypt cost.
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/bench.db", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "JOBS_IN_PROCESS": False, "MAIL_SEND_IN_BACKGROUND": False,
                      "SIGNIN_MAX_FAILURES_PER_ACCOUNT": 10**9, "SIGNIN_MAX_FAILURES_PER_ADDRESS": 10**9})
    with app.app_context():
        upgrade()
    return app


def make_accounts(app) -> dict[str, str]:
    from webapp.auth.services import create_organisation
    from webapp.models import User

    with app.app_context():
        created, _ = create_organisation(name="Bench", slug="bench", admin_email="chosen@bench.example",
                                         admin_first_name="Cho", admin_last_name="Sen",
                                         admin_password=PASSWORD)
        assert created.admin.password_hash.startswith("scrypt:32768")
        for email, active in (("generated@bench.example", True), ("deactivated@bench.example", False)):
            db.session.add(User(org_id=created.org.id, email=email, first_name="B", last_name="U",
                                password_hash=credentials.hash_generated_password(PASSWORD),
                                password_is_generated=True, is_active_account=active))
        db.session.commit()
    return {"unknown": "nobody@bench.example", "generated": "generated@bench.example",
            "chosen": "chosen@bench.example", "deactivated": "deactivated@bench.example"}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=40, help="wrong-password sign-ins per case")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as instance:
        app = build_app(instance)
        emails = make_accounts(app)
        client = app.test_client()
        timings: dict[str, list[float]] = {case: [] for case in CASES}
        for case in CASES:  # warm-up: first requests load templates and the dummy hash
            client.post("/login", data={"email": emails[case], "password": "wrong-password-bench"})
        for _ in range(args.tries):
            for case in CASES:
                started = time.perf_counter()
                response = client.post("/login", data={"email": emails[case], "password": "wrong-password-bench"})
                timings[case].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 401, (case, response.status_code)
    print(f"Wrong-password sign-in, {args.tries} tries per case, production scrypt cost (ms):")
    print(f"{'case':<12} {'median':>8} {'p10':>8} {'p90':>8}")
    for case in CASES:
        values = timings[case]
        print(f"{case:<12} {statistics.median(values):8.1f} {percentile(values, 0.1):8.1f} "
              f"{percentile(values, 0.9):8.1f}")
    medians = [statistics.median(timings[case]) for case in CASES]
    print(f"slowest median / fastest median: {max(medians) / min(medians):.2f}")


if __name__ == "__main__":
    main()
