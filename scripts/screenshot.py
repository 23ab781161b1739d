"""Take the README's screenshot of the HTML report (docs/report.png) with headless Chromium.

    python scripts/screenshot.py [--out docs/report.png] [--size 1000,1250]

The report is that of the bundled example (examples/medications.txt), as `rlsmed check -o report.html`
writes it; the page is shown as a browser shows it on screen (printing uses the print stylesheet).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import rlsmed  # noqa: E402  (from this checkout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "report.png")
    parser.add_argument("--size", default="1000,1250", help="window width,height in pixels")
    args = parser.parse_args()
    browser = next(filter(None, map(shutil.which, ("chromium-headless-shell", "chromium", "google-chrome"))), None)
    if browser is None:
        print("no headless Chromium: apt-get install chromium-headless-shell", file=sys.stderr)
        return 2
    os.chdir(ROOT)  # the report names its input as a user would give it: examples/medications.txt
    report = rlsmed.check_files(["examples/medications.txt"])
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "report.html"
        page.write_text(rlsmed.render(report, "html"), encoding="utf-8")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
        command += [f"--window-size={args.size}", f"--screenshot={args.out.resolve()}", page.as_uri()]
        subprocess.run(command, check=True, capture_output=True, timeout=120)
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
