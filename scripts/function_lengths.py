"""Function lengths in a package (lines from ``def`` to the last line): count, median, p90, and
the longest. Usage: python scripts/function_lengths.py [portal]"""

from __future__ import annotations

import ast
import statistics
import sys
from pathlib import Path


def lengths(root: Path) -> list[tuple[int, str]]:
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found.append((node.end_lineno - node.lineno + 1, f"{path}:{node.lineno} {node.name}"))
    return sorted(found)


def main() -> None:
    found = lengths(Path(sys.argv[1] if len(sys.argv) > 1 else "portal"))
    values = [n for n, _where in found]
    p90 = statistics.quantiles(values, n=10)[8]
    print(f"functions {len(values)}  median {statistics.median(values)}  p90 {p90:.1f}  longest {values[-1]}")
    for n, where in found[-5:]:
        print(f"  {n:4d}  {where}")


if __name__ == "__main__":
    main()
