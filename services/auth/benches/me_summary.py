"""Summary of me_vs_pgbench.sh: each round's figures and ratios, then the medians.

Arguments: <work dir> <rounds> <tokens per round>. Reads seen.N.txt / first.N.txt (wrk) and
pgbench.N.txt of every round N; a mode that did not run has no file.
"""

import re
import statistics
import sys
from pathlib import Path


def number(path: Path, pattern: str) -> float | None:
    if not path.exists():
        return None
    found = re.search(pattern, path.read_text(), re.MULTILINE)
    return float(found.group(1)) if found else None


def main() -> None:
    work, rounds, tokens = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    ratios: dict[str, list[float]] = {}
    for n in range(rounds):
        tps = number(work / f"pgbench.{n}.txt", r"^tps = ([\d.]+)")
        seen = number(work / f"seen.{n}.txt", r"^Requests/sec:\s+([\d.]+)")
        first = number(work / f"first.{n}.txt", r"^Requests/sec:\s+([\d.]+)")
        asked = number(work / f"first.{n}.txt", r"^\s*(\d+) requests in")
        line = [f"round {n}: pgbench {tps:.0f} tps"]
        if seen:
            line.append(f"one token {seen:.0f} req/s")
            ratios.setdefault("one token / pgbench", []).append(seen / tps)
        if first and asked:
            share = min(1.0, tokens / asked)
            line.append(f"first sight {first:.0f} req/s ({share:.0%} first sights)")
            ratios.setdefault("first sight / pgbench", []).append(first / tps)
        if seen and first:
            ratios.setdefault("first sight / one token", []).append(first / seen)
        print("; ".join(line))
    for name, values in ratios.items():
        each = ", ".join(f"{v:.2f}" for v in values)
        print(f"{name}: median {statistics.median(values):.2f} (rounds: {each})")


if __name__ == "__main__":
    main()
