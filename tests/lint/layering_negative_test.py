#!/usr/bin/env python3
"""lint.layering.negative: scripts/check-layering fails, naming the file and
the rule, on a copy of src/ (and of docs/ARCHITECTURE.md) with one deliberate
violation each; the unchanged copy passes, so each failure is the violation's.

Usage: layering_negative_test.py SOURCE_DIR
"""

import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPT = os.path.join(ROOT, "scripts", "check-layering")
failures = []


def run_case(name, mutate, expect_ok=False, expect=()):
    with tempfile.TemporaryDirectory(prefix="kizuna-layering-") as tmp:
        src = os.path.join(tmp, "src")
        doc = os.path.join(tmp, "ARCHITECTURE.md")
        shutil.copytree(os.path.join(ROOT, "src"), src)
        shutil.copy(os.path.join(ROOT, "docs", "ARCHITECTURE.md"), doc)
        if mutate:
            mutate(src, doc)
        r = subprocess.run([sys.executable, SCRIPT, "--root", tmp, "--src", src, "--doc", doc],
                           capture_output=True, text=True)
        out = r.stdout + r.stderr
        ok = (r.returncode == 0) if expect_ok else (r.returncode == 1)
        missing = [e for e in expect if e not in out]
        if not ok or missing:
            failures.append("%s: exit %d, expected %s%s\n%s" % (
                name, r.returncode, "0" if expect_ok else "1",
                "; missing in the output: " + ", ".join(repr(m) for m in missing) if missing else "",
                out))
        else:
            print("ok: " + name)


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def append(path, text):
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)


def replace(path, old, new):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if old not in text:
        failures.append("cannot find %r in %s (update this test)" % (old, path))
    write(path, text.replace(old, new))


run_case("the unchanged tree passes", None, expect_ok=True)

# The deliberate bad include of the design change: the store includes the
# TAXII service (a higher layer).
run_case("a lower layer includes a higher one",
         lambda src, doc: write(os.path.join(src, "store", "layering_probe.cc"),
                                '// probe\n#include "taxii/service.h"\n'),
         expect=["store/layering_probe.cc:2:", "[include]", '"taxii/service.h"'])

# export may depend on taxii, but taxii/service.h is private to taxii and app.
run_case("a private header outside its libraries",
         lambda src, doc: write(os.path.join(src, "export", "layering_probe.h"),
                                '#pragma once\n#include "taxii/service.h"\n'),
         expect=["export/layering_probe.h:2:", "[private]"])

# A link the table does not allow.
run_case("a forbidden link",
         lambda src, doc: replace(os.path.join(src, "store", "CMakeLists.txt"),
                                  "kizuna_library(store DEPS kizuna_core",
                                  "kizuna_library(store DEPS kizuna_policy kizuna_core"),
         expect=["store/CMakeLists.txt:1:", "[link]", "kizuna_policy"])

# A table that allows a cycle (store <-> policy).
run_case("a cycle in the table",
         lambda src, doc: replace(doc, "| core | SQLite,", "| policy, core | SQLite,"),
         expect=["[cycle]"])

# An exception whose include is gone must be deleted from the table.
def add_stale_exception(src, doc):
    with open(doc, encoding="utf-8") as f:
        lines = f.read().split("\n")
    row = "| `store/store.cc` | `taxii/service.h` |"
    at = next((i for i, l in enumerate(lines) if l.startswith("Temporary exceptions")), None)
    if at is None:
        lines += ["", "Temporary exceptions:", "", "| file | includes |", "|---|---|", row, ""]
    else:
        sep = next(i for i in range(at, len(lines)) if lines[i].startswith("|---"))
        lines.insert(sep + 1, row)
    write(doc, "\n".join(lines))


run_case("a stale temporary exception", add_stale_exception,
         expect=["[map]", "stale exception: store/store.cc"])

if failures:
    print("\n".join(failures), file=sys.stderr)
    sys.exit(1)
print("lint.layering.negative: every violation was caught")
