#!/usr/bin/env python3
"""Times the OASIS reference matcher (stix2matcher, installed separately; see
../shared/tools/peers) on the same cases as bench/pattern_bench.cc's
BM_EvaluateOasisCases: every line of ../shared/data/patterns/
stix2-matcher-cases.jsonl, one stix2matcher.matcher.match() call each
(pattern parse + match), errors caught and counted. Only runs the installed
module; it does not build or vendor it.

Usage: source /tmp/peers/env.sh && $PEERS_PY bench/pattern_reference_bench.py [ROUNDS]
"""
import json
import os
import sys
import time

from stix2matcher.matcher import match  # the installed reference

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "..", "..", "shared", "data", "patterns", "stix2-matcher-cases.jsonl")


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with open(CASES, encoding="utf-8") as f:
        cases = [json.loads(line) for line in f if line.strip()]
    best = None
    for _ in range(rounds):
        matched = errors = 0
        start = time.perf_counter()
        for c in cases:
            try:
                if match(c["pattern"], c["observed_data"], stix_version=c["stix_version"]):
                    matched += 1
            except Exception:  # the reference raises for invalid patterns and data
                errors += 1
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
        print("round: %d cases in %.3f s (%.1f cases/s), matched %d, errors %d"
              % (len(cases), elapsed, len(cases) / elapsed, matched, errors))
    print("best: %.1f ms per round of %d cases = %.1f cases/s"
          % (best * 1000, len(cases), len(cases) / best))


if __name__ == "__main__":
    main()
