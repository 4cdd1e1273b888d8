"""Summary of list_vs_pgbench.sh: each round's figures and ratio, then the median ratio.

Arguments: <work dir> <rounds>. Reads list.N.txt (wrk) and pgbench.N.txt of every round N.
"""

import re
import statistics
import sys
from pathlib import Path


def number(path: Path, pattern: str) -> float:
    found = re.search(pattern, path.read_text(), re.MULTILINE)
    if not found:
        sys.exit(f"{path} has no figure matching {pattern!r}")
    return float(found.group(1))


def main() -> None:
    work, rounds = Path(sys.argv[1]), int(sys.argv[2])
    ratios: list[float] = []
    for n in range(rounds):
        tps = number(work / f"pgbench.{n}.txt", r"^tps = ([\d.]+)")
        listed = number(work / f"list.{n}.txt", r"^Requests/sec:\s+([\d.]+)")
        ratios.append(listed / tps)
        print(f"round {n}: pgbench {tps:.0f} tps; GET content {listed:.0f} req/s; "
              f"ratio {listed / tps:.2f}")
    each = ", ".join(f"{v:.2f}" for v in ratios)
    print(f"GET content / pgbench: median {statistics.median(ratios):.2f} (rounds: {each})")


if __name__ == "__main__":
    main()
