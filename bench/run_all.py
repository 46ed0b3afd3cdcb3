"""Run every benchmark script in this folder (``bench_*.py``) and print their reports.

Benchmarks report throughput and ratios, never pass/fail timings: this machine is noisy.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    failures = 0
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        started = time.monotonic()
        result = subprocess.run([sys.executable, str(script), *sys.argv[1:]], cwd=HERE.parent)
        print(f"--- {script.name}: exit {result.returncode} in {time.monotonic() - started:.1f}s")
        failures += result.returncode != 0
    if not scripts:
        print("no benchmarks yet")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
