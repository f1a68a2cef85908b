"""Lighthouse scores for Lentera's key pages, as a phone on a slow mobile network sees them.

    python bench/lighthouse.py                        # starts its own Lentera (demo data)
    python bench/lighthouse.py --base-url http://127.0.0.1:8000   # a running `make run`

Without --base-url it starts Lentera the way the browser tests do (tests/e2e/live_server.py:
a fresh SQLite database in a temporary folder, demo accounts, the demo courses) and stops it
afterwards. Logged-in pages are audited with the demo learner's session cookie, obtained by
posting the login form and handed to Lighthouse with --extra-headers.

Lighthouse (npm package, pinned in bench/package.json: `npm ci --prefix bench`, which
`make bench-lighthouse` runs) runs with its defaults for mobile:
Moto G Power screen, simulated Slow 4G and 4x CPU slowdown. Chromium is Debian's
(/usr/bin/chromium, or CHROME_PATH). Prints a table of the four category scores and the bytes
transferred per page, lists every audit that keeps a page below its target, and writes each
JSON report to test-artifacts/lighthouse/ (<page>.json is the median run with --runs). Exit code
0, or 1 with --check if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.e2e.live_server import (  # noqa: E402 - needs the repository on sys.path first
    ARTIFACTS_DIR,
    CHROMIUM,
    CHROMIUM_ARGS,
    DEMO_LEARNER,
    login_cookies,
    run_lentera,
)

LIGHTHOUSE = REPO_ROOT / "bench" / "node_modules" / ".bin" / "lighthouse"
REPORTS = ARTIFACTS_DIR / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 95}
COURSE = "PPP-101"
MODULE = "01-dasar-hukum-dan-asas"


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    logged_in: bool


PAGES = [
    Target("login", "/masuk", logged_in=False),
    Target("home", "/", logged_in=True),
    Target("course", f"/kursus/{COURSE}", logged_in=True),
    Target("module", f"/kursus/{COURSE}/modul/{MODULE}", logged_in=True),
    Target("quiz", f"/kursus/{COURSE}/tes/tes-awal", logged_in=True),
]


@dataclass(frozen=True)
class Result:
    page: Target
    scores: dict[str, int]
    transferred: int
    metrics: dict[str, float]
    shortfalls: list[str]


@contextmanager
def lentera(base_url: str | None) -> Iterator[str]:
    """The server to audit: the one given, or a fresh one of our own for the duration."""
    if base_url:
        yield base_url.rstrip("/")
        return
    with tempfile.TemporaryDirectory(prefix="lentera-lighthouse-") as tmp:
        print("Starting Lentera (fresh SQLite database, demo accounts and courses)…")
        with run_lentera(Path(tmp)) as server:
            yield server.base_url


def open_quiz_attempt(base_url: str, cookies: dict[str, str]) -> str:
    """Start (or resume) a practice-quiz attempt, for auditing the page learners answer on."""
    import re

    import httpx

    quiz = f"/kursus/{COURSE}/tes/{MODULE}"
    with httpx.Client(base_url=base_url, cookies=cookies, timeout=10) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(quiz).text)
        if token is None:
            raise RuntimeError(f"no start form on {quiz}")
        response = client.post(f"{quiz}/mulai", data={"csrf_token": token[1]})
        if response.status_code != 303:
            raise RuntimeError(f"starting {quiz} gave {response.status_code}")
        return str(response.headers["location"])


def run_lighthouse(url: str, cookie: str | None, output: Path) -> dict[str, Any]:
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={output}",
        f"--chrome-flags={flags}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--form-factor=mobile",
        "--quiet",
    ]
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", str(CHROMIUM))}
    done = subprocess.run(  # noqa: S603 - our own pinned tool, arguments we build
        command, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode != 0 or not output.exists():
        raise RuntimeError(f"lighthouse failed on {url}:\n{done.stderr[-3000:]}")
    report: dict[str, Any] = json.loads(output.read_text())
    if report.get("finalDisplayedUrl") != url:
        # E.g. a session cookie that did not work: the login page would be audited instead.
        raise RuntimeError(f"{url} ended at {report.get('finalDisplayedUrl')}, not the page")
    return report


def summarise(page: Target, report: dict[str, Any]) -> Result:
    categories, audits = report["categories"], report["audits"]
    scores = {name: round(float(categories[name]["score"] or 0) * 100) for name in CATEGORIES}
    metrics = {
        key: float(audits[key].get("numericValue") or 0)
        for key in (
            "first-contentful-paint",
            "largest-contentful-paint",
            "total-blocking-time",
            "cumulative-layout-shift",
        )
    }
    shortfalls = []
    for name, target in TARGETS.items():
        if scores[name] >= target:
            continue
        for ref in categories[name]["auditRefs"]:
            audit = audits[ref["id"]]
            score = audit.get("score")
            if ref.get("weight") and score is not None and score < 1:
                shortfalls.append(f"{name}: {audit['id']} ({score}) {audit['title']}")
    transferred = int(audits["total-byte-weight"].get("numericValue") or 0)
    return Result(page, scores, transferred, metrics, shortfalls)


def print_table(results: list[Result]) -> bool:
    """Print the table; True when every page meets every target."""
    head = (
        f"{'page':<13}{'perf':>6}{'a11y':>6}{'b.p.':>6}{'seo':>6}{'bytes':>9}"
        f"{'FCP ms':>9}{'LCP ms':>9}{'TBT ms':>8}{'CLS':>7}"
    )
    print()
    print(head)
    print("-" * len(head))
    ok = True
    for r in results:
        marks = {name: "" if r.scores[name] >= TARGETS.get(name, 0) else "!" for name in CATEGORIES}
        ok = ok and not any(marks.values())
        cells = "".join(f"{str(r.scores[n]) + marks[n]:>6}" for n in CATEGORIES)
        m = r.metrics
        print(
            f"{r.page.name:<13}{cells}{r.transferred:>9}"
            f"{m['first-contentful-paint']:>9.0f}{m['largest-contentful-paint']:>9.0f}"
            f"{m['total-blocking-time']:>8.0f}{m['cumulative-layout-shift']:>7.3f}"
        )
    targets = ", ".join(f"{name} >= {value}" for name, value in TARGETS.items())
    print(f"\nTargets: {targets}; '!' marks a miss. Reports: {REPORTS}")
    for r in results:
        for line in r.shortfalls:
            print(f"  {r.page.name}: {line}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", help="audit a running Lentera instead of starting one")
    parser.add_argument("--nip", default=DEMO_LEARNER[0], help="learner to log in as")
    parser.add_argument("--password", default=DEMO_LEARNER[1])
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="audit each page this many times and keep the median run (by performance score): "
        "on a busy machine one run's Total Blocking Time is noisy",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    if not LIGHTHOUSE.exists():
        parser.error(f"{LIGHTHOUSE} is missing: run `make bench-lighthouse`")
    if not (
        Path(os.environ.get("CHROME_PATH", str(CHROMIUM))).exists() or shutil.which("chromium")
    ):
        parser.error("Chromium is missing: `apt-get install chromium` (or set CHROME_PATH)")

    REPORTS.mkdir(parents=True, exist_ok=True)
    results = []
    with lentera(args.base_url) as base_url:
        cookies = login_cookies(base_url, args.nip, args.password)
        cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        pages = list(PAGES)
        if not args.base_url:  # our own throwaway data: starting an attempt changes nothing
            pages.append(Target("quiz-attempt", open_quiz_attempt(base_url, cookies), True))
        for page in pages:
            print(f"Lighthouse: {page.name} {page.path}", flush=True)
            runs = []
            for run in range(1, args.runs + 1):
                output = REPORTS / f"{page.name}-{run}.json"
                report = run_lighthouse(
                    base_url + page.path, cookie if page.logged_in else None, output
                )
                runs.append((summarise(page, report), output))
            runs.sort(key=lambda item: item[0].scores["performance"])
            median, output = runs[len(runs) // 2]
            shutil.copyfile(output, REPORTS / f"{page.name}.json")
            results.append(median)
    ok = print_table(results)
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    raise SystemExit(main())
