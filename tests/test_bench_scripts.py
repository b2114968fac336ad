"""The benchmarks of issue 14 run and print their figures, each beside its median, floor or ratio, and say why they
skip PostgreSQL when none answers. Tiny sizes: what is checked is that a script works, never how fast anything is
(the figures themselves are the benchmarks' to print, on a quiet machine; no test here is timed)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scale import require_postgres

ROOT = Path(__file__).resolve().parent.parent

# (script and tiny arguments, environment, lines the output must hold)
SQLITE_RUNS = {
    "staged table": (["bench_staged_table.py", "--rows", "2000", "--runs", "1", "--sqlite-only"], {},
                     ["median of 1 runs per request, target 100 ms", "[sqlite] floor: one-row request",
                      "[sqlite] apply all suggested fixes (1,000)", "over 100 ms"]),
    "users list": (["bench_users_list.py"], {"BENCH_SQLITE_USERS": "500"},
                   ["(median of 5; budget 100 ms)", "search 'Muller' (finds Müller)", "case(s) over the 100 ms budget",
                    "PostgreSQL figures skipped: no server answers."]),
    # (Its exit status says whether the ratio met its floor, which five messages on a busy machine need not.)
    "mail": (["bench_mail.py", "--messages", "5", "--pairs", "2"], {},
             ["sqlite     5 messages x 2 pairs: outbox", "bare smtplib", "median ratio", "(floor 0.8)"]),
    "load without PostgreSQL": (["bench_load.py", "--clients", "2", "--seconds", "1", "--users", "100", "--rows",
                                 "100", "--single", "1"], {},
                                ["Skipped: the load benchmark runs on PostgreSQL and none answers."]),
}


def run_bench(arguments: list[str], env: dict, tmp_path: Path, statuses=(0,)) -> str:
    """Run a benchmark script as the user does, from a scratch folder; its standard output. `statuses`: the exit
    statuses that mean it ran to its end."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("FLASK_", "BENCH_"))}
    environment.update({"WEBAPP_INSTANCE_PATH": str(tmp_path), **env})
    done = subprocess.run([sys.executable, str(ROOT / "bench" / arguments[0]), *arguments[1:]], env=environment,
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode in statuses and "Traceback" not in done.stderr, done.stderr[-3000:]
    return done.stdout


@pytest.mark.parametrize("case", list(SQLITE_RUNS))
def test_each_benchmark_runs_and_prints_its_figures(case, tmp_path):
    arguments, env, expected = SQLITE_RUNS[case]
    output = run_bench(arguments, {"BENCH_PG_URL": "off", **env}, tmp_path, (0, 1) if case == "mail" else (0,))
    for line in expected:
        assert line in output, (line, output[-3000:])


def test_the_load_benchmark_prints_its_percentiles_on_postgresql(tmp_path):
    require_postgres()
    output = run_bench(["bench_load.py", "--clients", "2", "--seconds", "2", "--users", "300", "--rows", "300",
                        "--single", "1"], {}, tmp_path)
    assert "p50 ms   p95 ms   p99 ms" in output and "requests/s; errors: 0; p95" in output, output[-3000:]
