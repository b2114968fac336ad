"""axe-core (vendored from npm, see vendor/LICENSE) run in the page: the serious and critical violations."""
from __future__ import annotations

from pathlib import Path

AXE_SOURCE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")


def serious_violations(page) -> list[str]:
    """Inject axe-core into the current page and return one line per serious or critical violation."""
    # Evaluated through the DevTools protocol, not added as a <script>: the page's CSP stays strict.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} -> "
        + "; ".join(node["target"][0] if isinstance(node["target"][0], str) else str(node["target"])
                    for node in violation["nodes"][:5])
        for violation in results["violations"] if violation["impact"] in FAILING_IMPACTS
    ]
