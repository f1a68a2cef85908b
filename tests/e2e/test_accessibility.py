"""No page type has an accessibility violation that axe-core can find (WCAG 2.x A/AA and axe's
best practices), checked in the real browser with JavaScript and the phone's viewport.

Each violation is written to test-artifacts/e2e/axe/<page>.json with the offending elements.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.live_server import ARTIFACTS_DIR, LiveServer
from tests.e2e.pages import PAGE_IDS, Site

if TYPE_CHECKING:
    from playwright.sync_api import Page

AXE_REPORTS = ARTIFACTS_DIR / "e2e" / "axe"
# Violations found and reported, not yet fixed in the app: (page, axe rule) -> why it is there.
# Every other violation fails the test, and so does a listed one that is gone (remove the line:
# the list only ever shrinks).
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {}
RUN_AXE = """async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, summary: n.failureSummary })),
  }));
}"""


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['html'][:160]}")
    return "\n".join(lines)


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("page_id", PAGE_IDS)
def test_page_has_no_accessibility_violations(
    page_id: str,
    lang: str,
    live_server: LiveServer,
    site: Site,
    pages_by_role: Callable[..., Page],
    axe_script: Path,
    screenshot: Callable[[Page, str], Path],
) -> None:
    page_type = site.pages[page_id]
    # bypass_csp: Lentera's Content-Security-Policy rightly refuses injected scripts like axe.
    page = pages_by_role(page_type.role, bypass_csp=True)
    # Both interface languages are checked: every page in Indonesian and in English.
    page.context.add_cookies([{"name": "lentera_lang", "value": lang, "url": live_server.base_url}])
    response = page.goto(page_type.path, wait_until="load")
    assert f'lang="{lang}"' in page.content()
    expected = 404 if page_id in ("error-404", "verification-unknown") else 200
    assert response is not None and response.status == expected, page.url
    screenshot(page, f"{page_id}-{lang}")

    page.add_script_tag(path=str(axe_script))
    violations = page.evaluate(RUN_AXE)

    AXE_REPORTS.mkdir(parents=True, exist_ok=True)
    report = {"page": page_id, "url": page_type.path, "violations": violations}
    (AXE_REPORTS / f"{page_id}-{lang}.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False)
    )
    new = [v for v in violations if (page_id, v["id"]) not in KNOWN_VIOLATIONS]
    assert not new, f"{page_type.path}:\n{_describe(new)}"
    found = {v["id"] for v in violations}
    fixed = [rule for page, rule in KNOWN_VIOLATIONS if page == page_id and rule not in found]
    assert not fixed, f"fixed on {page_id}, remove from KNOWN_VIOLATIONS: {fixed}"
