"""Dependencies run one way: core < mail < accounts < features < the app factory, no cycle between features.

The checker reads every import in webapp/ (those inside functions too) with `ast`, so a lazy import
cannot hide an upward dependency. It is itself tested on toy packages, so this test can fail.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = "<modules>"  # every plain module at the top of the package (webapp/clock.py, ...)
APP = "<app>"  # the package's own __init__.py: the app factory

# Lowest first. A unit may import its own layer and those below; features may not import each
# other in a cycle.
LAYERS = [
    {MODULES, "models"},                                       # core: extensions, models, signals, jobs
    {"mail"},                                                  # outbox and delivery
    {"accounts"},                                              # creating accounts, membership, links
    {"auth", "users", "imports", "enrolments", "learners"},   # features
    {APP},
]
CYCLES_CHECKED_IN = {"auth", "users", "imports", "enrolments", "learners", "accounts", "mail"}
# (importing module, imported module): why it is allowed. Aim for none.
ALLOWED: dict[tuple[str, str], str] = {
    ("webapp.jobs", "webapp"): "an RQ worker process must build the app (create_app) to run a job in: "
                               "the runner's entry point, not a dependency of what it runs",
}


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str, known: set[str]) -> set[str]:
    """Every module of the package this file imports, wherever the import statement sits."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            # `from webapp import jobs` imports the module webapp.jobs, not the package's __init__.
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {name for name in found if name.split(".")[0] == package.split(".")[0]}


def _unit(module: str, root: Path) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return APP
    return parts[1] if (root / parts[1]).is_dir() else MODULES


def dependency_problems(root: Path, layers=LAYERS, allowed=ALLOWED, checked=CYCLES_CHECKED_IN) -> list[str]:
    """Upward imports and cycles between units of the package at `root`, as sentences."""
    rank = {unit: level for level, units in enumerate(layers) for unit in units}
    files = {_module_name(path, root): path for path in sorted(root.rglob("*.py"))}
    edges: dict[str, dict[str, str]] = {}
    problems = []
    for module, path in files.items():
        source = _unit(module, root)
        for target_module in sorted(_imports(path, module, set(files))):
            target = _unit(target_module, root)
            if target == source or (module, target_module) in allowed:
                continue
            edges.setdefault(source, {}).setdefault(target, f"{module} imports {target_module}")
            if target not in rank or source not in rank:
                problems.append(f"{module} imports {target_module}: {target if target not in rank else source} "
                                "belongs to no layer")
            elif rank[target] > rank[source]:
                problems.append(f"upward import: {module} imports {target_module}")
    problems += [f"cycle: {' -> '.join(cycle)} ({'; '.join(why)})" for cycle, why in _cycles(edges, checked)]
    return problems


def _cycles(edges: dict[str, dict[str, str]], checked: set[str]):
    """Each cycle among the checked units once, starting from its smallest unit, with its imports."""
    seen = set()

    def walk(path):
        for nxt in sorted(edges.get(path[-1], {})):
            if nxt not in checked:
                continue
            if nxt == path[0]:
                key = frozenset(path)
                if key not in seen:
                    seen.add(key)
                    yield [*path, nxt], [edges[a][b] for a, b in zip(path, [*path[1:], nxt])]
            elif nxt not in path and nxt > path[0]:
                yield from walk([*path, nxt])

    for start in sorted(checked):
        yield from walk([start])


def test_webapp_imports_run_one_way_with_no_cycle_between_features():
    assert dependency_problems(ROOT / "webapp") == []


def _toy(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in {"__init__.py": "", "clock.py": "", "mail/__init__.py": "", "auth/__init__.py": "",
                       "users/__init__.py": "", **files}.items():
        (tmp_path / "toy" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "toy" / name).write_text(text)
    return tmp_path / "toy"


TOY_LAYERS = [{MODULES}, {"mail"}, {"auth", "users"}, {APP}]
TOY_CHECKED = {"mail", "auth", "users"}


@pytest.mark.parametrize("files, expected", [
    ({"auth/views.py": "from toy import clock\nfrom toy.mail import outbox\nimport toy.users\n",
      "mail/outbox.py": "from .. import clock\n", "__init__.py": "from toy.auth import views\n"}, []),
    ({"clock.py": "def now():\n    from toy.mail import outbox\n", "mail/outbox.py": ""},
     ["upward import: toy.clock imports toy.mail.outbox"]),
    ({"mail/outbox.py": "from ..users import services\n", "users/services.py": ""},
     ["upward import: toy.mail.outbox imports toy.users.services"]),
    ({"auth/views.py": "from toy.users import services\n",
      "users/services.py": "def f():\n    from toy.auth import views\n"},
     ["cycle: auth -> users -> auth (toy.auth.views imports toy.users.services; "
      "toy.users.services imports toy.auth.views)"]),
], ids=["clean", "core imports mail inside a function", "relative upward import", "feature cycle"])
def test_the_checker_finds_upward_imports_and_cycles_in_a_toy_package(tmp_path, files, expected):
    assert dependency_problems(_toy(tmp_path, files), TOY_LAYERS, {}, TOY_CHECKED) == expected


def test_an_allowed_exception_silences_only_its_own_pair(tmp_path):
    root = _toy(tmp_path, {"clock.py": "import toy.mail\nimport toy.auth\n"})
    assert dependency_problems(root, TOY_LAYERS, {("toy.clock", "toy.mail"): "a reason"}, TOY_CHECKED) == [
        "upward import: toy.clock imports toy.auth"]
