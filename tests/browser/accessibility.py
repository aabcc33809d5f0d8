"""axe-core in the page: the WCAG violations a screen reader or a low-vision user would meet.

axe-core is vendored by `.ci/vendor-axe` from the npm registry into .cache/ (never a CDN);
`PARCOURS_AXE` points elsewhere. Without it the accessibility tests skip with that reason.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(os.environ.get("PARCOURS_AXE", ROOT / ".cache" / "axe-core-4.14.1" / "axe.min.js"))
# Rules of WCAG 2.1 A and AA, and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = ("serious", "critical")


def axe_source() -> str | None:
    return AXE.read_text() if AXE.exists() else None


def violations(page, source: str) -> list[str]:
    """The serious and critical violations on the page, one readable line each."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=source)
    found = page.evaluate(
        """async (tags) => {
          const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
          return result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '')
              .replace(/\\s+/g, ' ').slice(0, 160)),
          }));
        }""",
        TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + " | ".join(v["nodes"])
        for v in found
        if v["impact"] in BLOCKING
    ]
