#!/usr/bin/python3
"""Checks that the code the guides quote is the code that is built and tested.

In README.md and docs/*.md, a line `<!-- snippet: PATH -->` or `<!-- snippet: PATH#NAME -->`
must be followed directly by a fenced code block whose lines equal the whole file PATH
(relative to the repository root), or the lines strictly between the lines of PATH that
contain `--(NAME-begin)--` and `--(NAME-end)--`. Prints a diff per mismatch and exits 1 on
any; exits 0 otherwise. Usage: check_snippets.py [REPOSITORY_ROOT]
"""

import difflib
import pathlib
import re
import sys

MARKER = re.compile(r"^<!-- snippet: (?P<path>[^#\s]+)(#(?P<name>[\w-]+))? -->$")
FENCE = re.compile(r"^```")


def region(root, path, name):
    """Returns the quoted lines of `path` (region `name`, or the whole file), or an error."""
    file = root / path
    if not file.is_file():
        return None, f"{path}: no such file"
    lines = file.read_text().splitlines()
    if name is None:
        return lines, None
    begin = [i for i, line in enumerate(lines) if f"--({name}-begin)--" in line]
    end = [i for i, line in enumerate(lines) if f"--({name}-end)--" in line]
    if len(begin) != 1 or len(end) != 1 or end[0] < begin[0]:
        return None, f"{path}: region '{name}' needs one begin and one end marker, in order"
    return lines[begin[0] + 1 : end[0]], None


def quoted_block(lines, start):
    """Returns the lines of the fenced block that starts at `start`, or None."""
    if start >= len(lines) or not FENCE.match(lines[start]):
        return None
    for i in range(start + 1, len(lines)):
        if FENCE.match(lines[i]):
            return lines[start + 1 : i]
    return None


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    docs = [root / "README.md"] + sorted((root / "docs").glob("*.md"))
    checked, failures = 0, []
    for doc in docs:
        lines = doc.read_text().splitlines()
        for n, line in enumerate(lines):
            m = MARKER.match(line.strip())
            if not m:
                continue
            where = f"{doc.relative_to(root)}:{n + 1}"
            block = quoted_block(lines, n + 1)
            if block is None:
                failures.append(f"{where}: the snippet marker is not followed by a code block")
                continue
            expected, error = region(root, m["path"], m["name"])
            if error:
                failures.append(f"{where}: {error}")
                continue
            checked += 1
            if block != expected:
                diff = difflib.unified_diff(expected, block, m["path"], where, lineterm="")
                failures.append(f"{where}: differs from {m['path']}\n" + "\n".join(diff))
    for failure in failures:
        print(failure)
    print(f"{checked} snippets checked, {len(failures)} problems")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
