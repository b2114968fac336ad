"""Benchmark: reading a 100,000-row CSV against a bare csv.reader, and reading + mapping + cleaning it against
a bare csv.reader + validate_email loop."""
from __future__ import annotations

import csv
import io
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from email_validator import validate_email  # noqa: E402

from webapp.imports.cleaning import clean_rows  # noqa: E402
from webapp.imports.columns import map_columns  # noqa: E402
from webapp.imports.reading import read_table  # noqa: E402

ROWS = 100_000
RUNS = 3


def write_file(path: Path) -> None:
    """Write a 3-column CSV like a real export: mixed case, stray spaces, a few duplicates."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["First Name", "Last Name", "Email Address"])
        for n in range(ROWS):
            writer.writerow([f" Learner{n} ", f"Surname  {n % 977}", f"Learner.{n}@Example{n % 50}.com"])


def baseline(path: Path) -> int:
    """The bare loop the issue measures against: csv.reader plus one validate_email per row."""
    valid = 0
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            validate_email(row[2], check_deliverability=False)
            valid += 1
    return valid


def bare_reader(path: Path) -> int:
    """What reading alone is measured against: decode the bytes and list csv.reader's rows."""
    text = path.read_bytes().decode("utf-8")
    return len(list(csv.reader(io.StringIO(text, newline=""))))


def reader(path: Path) -> int:
    """read_table alone: detection on a sample, located table, limits checked on every row."""
    return len(read_table(path.read_bytes(), path.name).rows)


def importer(path: Path) -> int:
    """The import pipeline minus the database: read, map columns, clean and validate, dedupe."""
    table = read_table(path.read_bytes(), path.name)
    rows = clean_rows(table, map_columns(table.headers, table.rows))
    return sum(row.status == "valid" for row in rows)


def timed_alternately(path: Path, first, second) -> tuple[list[float], list[float]]:
    """Time both functions RUNS times, alternating, so background load on the machine hits both alike."""
    first_times, second_times = [], []
    for _ in range(RUNS):
        for function, times in ((first, first_times), (second, second_times)):
            started = time.perf_counter()
            function(path)
            times.append(time.perf_counter() - started)
    return first_times, second_times


def show(label: str, times: list[float]) -> float:
    median = statistics.median(times)
    print(f"{label}: median {median:.2f} s  ({', '.join(f'{t:.2f}' for t in times)})")
    return median


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "people.csv"
        write_file(path)
        print(f"file: {ROWS:,} rows, {path.stat().st_size / 1e6:.1f} MB")
        print(f"rows validated: baseline {baseline(path):,}, importer {importer(path):,} (both should be {ROWS:,})")
        bare_times, read_times = timed_alternately(path, bare_reader, reader)
        base_times, import_times = timed_alternately(path, baseline, importer)
        tracemalloc.start()
        importer(path)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    bare, read = show("bare decode + csv.reader", bare_times), show("read_table", read_times)
    print(f"reading ratio: {read / bare:.2f}x (target close to 1x: detection runs on a sample only)")
    base = show("baseline csv.reader + validate_email", base_times)
    imported = show("read_table + map_columns + clean_rows", import_times)
    print(f"ratio: {imported / base:.2f}x (target at most 2x)")
    print(f"peak traced memory during one import: {peak / 1e6:.0f} MB (target under 400 MB)")
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
