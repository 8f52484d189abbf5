#!/usr/bin/env python3
"""Documented curl commands work as pasted (issue 10, finding 9).

curl treats [] and {} in a URL as a glob unless it is given -g (--globoff):
`curl '.../objects/?match[type]=indicator'` prints nothing. Every curl command
in README.md and docs/*.md (one command may span lines ending in a backslash)
whose arguments contain a bracket must carry -g or --globoff.

Usage: doc_commands_test.py [ROOT]   (default: the repository root)
Exits 1 and names file:line for each command that would not run as pasted.
"""
import pathlib
import re
import sys


def commands(text):
    """Yields (line number, command text) for each curl command."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if re.search(r"(^|[\s;(|`$])curl\s", line):
            start = i
            cmd = line
            while cmd.rstrip().endswith("\\") and i + 1 < len(lines):
                i += 1
                cmd = cmd.rstrip()[:-1] + " " + lines[i]
            yield start + 1, cmd[cmd.index("curl"):]
        i += 1


def text_problems(text):
    """Yields (line number, URL) for each curl command that globs a bracket."""
    for line_no, cmd in commands(text):
        args = cmd.split()
        urls = [a for a in args if "://" in a or a.startswith(("'/", '"/', "/"))]
        globbed = [u for u in urls if re.search(r"[\[\]{}]", u)]
        off = {"-g", "--globoff"} & set(args) or any(
            re.fullmatch(r"-[a-zA-Z]*g[a-zA-Z]*", a) for a in args)
        if globbed and not off:
            yield line_no, globbed[0]


def problems(root):
    root = pathlib.Path(root)
    files = [root / "README.md"] + sorted((root / "docs").glob("**/*.md"))
    out = []
    for f in files:
        if f.exists():
            for line_no, url in text_problems(f.read_text(encoding="utf-8")):
                out.append("%s:%d: curl without -g on a URL with brackets: %s" %
                           (f.relative_to(root), line_no, url))
    return out


def main():
    # The check must catch the form that failed as pasted, and pass its fix.
    bad = "curl -u x:y \\\n  'http://h/objects/?match[type]=indicator'\n"
    assert list(text_problems(bad)) == [(1, "'http://h/objects/?match[type]=indicator'")], "self-test"
    assert not list(text_problems(bad.replace("curl ", "curl -g "))), "self-test"
    root = sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[2]
    found = problems(root)
    for p in found:
        print(p)
    if found:
        return 1
    print("doc commands: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
