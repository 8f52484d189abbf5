#!/usr/bin/env bash
# Frontline matcher side by side with `grep -F -f` and `rg -F -f` (Debian's
# ripgrep, installed by scripts/bootstrap --bench) on the same Zeek dns.log
# (the WRCCDC 2018 log of ../shared/data, replicated to LOG_MB) with the same
# domain list (the real maltrail and Phishing.Database domains plus
# synthetic ones up to DOMAINS). Prints wall time, peak memory and MB/s of
# each, and the ratios. Zeek and Suricata are not packaged in Debian 12, so
# their Intel framework and datasets cannot run here.
# Usage: bench/match-compare.sh [BUILD_DIR]   (env: DOMAINS=1160000 LOG_MB=256 THREADS=1)
set -euo pipefail
build=${1:-build/release}
root=$(cd "$(dirname "$0")/.." && pwd)
data="$root/../shared/data"
work=${KIZUNA_BENCH_DIR:-${TMPDIR:-/tmp}/kizuna-match-compare}
domains=${DOMAINS:-1160000}
log_mb=${LOG_MB:-256}
threads=${THREADS:-1}
kizuna="$root/$build/kizuna"
mkdir -p "$work"
cd "$work"

if [[ ! -s domains-$domains.jsonl ]]; then
  # head closes the pipe early: the writers' SIGPIPE is not a failure.
  set +o pipefail
  { cat "$data"/indicators/maltrail/malware/*.txt "$data"/indicators/maltrail/suspicious/*.txt \
        "$data"/indicators/phishing-database/phishing-domains-ACTIVE2.txt 2>/dev/null |
      grep -Ev '^#|[/: ]' | grep -E '^[A-Za-z0-9_.-]+\.[A-Za-z]{2,}$' | tr 'A-Z' 'a-z' | sort -u
    # Synthetic names to reach the list size (deterministic).
    awk -v n="$domains" 'BEGIN { srand(7); for (i = 0; i < n; i++) {
        s = ""; l = 6 + int(rand() * 8); for (j = 0; j < l; j++) s = s substr("abcdefghijklmnopqrstuvwxyz0123456789", 1 + int(rand() * 36), 1);
        print s "." substr("comnetorgxyzinfotop", 1 + 3 * int(rand() * 6), 3) } }'
  } | awk '!seen[$0]++' | head -n "$domains" > domains-$domains.txt
  set -o pipefail
  awk '{ printf "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--%08x-0000-4000-8000-%012d\",\"created\":\"2024-01-01T00:00:00Z\",\"modified\":\"2024-01-01T00:00:00Z\",\"name\":\"domain list\",\"pattern\":\"[domain-name:value = '"'"'%s'"'"']\",\"pattern_type\":\"stix\",\"valid_from\":\"2024-01-01T00:00:00Z\"}\n", NR, NR, $0 }' \
    domains-$domains.txt > domains-$domains.jsonl
fi
if [[ ! -s dns-$log_mb.log ]]; then
  zcat "$data/logs/zeek/wrccdc-2018/zeek-default/dns.log.gz" > one.log
  { grep '^#' one.log | grep -v '^#close'
    # Replicate the data lines; every 5,000th query is replaced by a listed
    # domain so that every tool has something to find.
    target=$((log_mb * 1024 * 1024))
    awk -v target="$target" -v list=domains-$domains.txt 'BEGIN { FS = OFS = "\t"; while ((getline d < list) > 0 && k < 1000) pick[k++] = d }
      FNR == NR && !/^#/ { line[n++] = $0; next }
      END { while (bytes < target) for (i = 0; i < n && bytes < target; i++) {
              l = line[i]; if (++c % 5000 == 0) { split(l, f, "\t"); f[10] = pick[c / 5000 % k]; l = f[1]; for (j = 2; j <= length(f); j++) l = l OFS f[j] }
              print l; bytes += length(l) + 1 } }' one.log /dev/null
  } > dns-$log_mb.log
  rm -f one.log
fi
size=$(stat -c %s dns-$log_mb.log)
run() {  # name command...
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o time.txt "$@" > out-$name.txt 2> err-$name.txt || true
  read -r secs kb < <(tail -1 time.txt)  # GNU time adds a line before when the command fails
  local lines; lines=$(wc -l < out-$name.txt)
  printf '%-8s %8.2f s %8.0f MB RSS %8.1f MB/s %10d output lines\n' "$name" "$secs" "$((kb / 1024))" \
    "$(echo "$size / 1048576 / $secs" | bc -l)" "$lines"
  echo "$secs" > secs-$name.txt
}
echo "log: dns-$log_mb.log ($((size / 1048576)) MB); list: $(wc -l < domains-$domains.txt) domains"
cat dns-$log_mb.log > /dev/null  # warm the page cache for everyone
run kizuna "$kizuna" match --indicators domains-$domains.jsonl --format zeek --threads "$threads" --quiet dns-$log_mb.log
run grep grep -F -f domains-$domains.txt dns-$log_mb.log
if command -v rg > /dev/null; then
  run rg rg -F --no-filename -f domains-$domains.txt dns-$log_mb.log
fi
k=$(cat secs-kizuna.txt)
echo "ratio grep/kizuna: $(echo "$(cat secs-grep.txt) / $k" | bc -l | cut -c1-6)"
[[ -f secs-rg.txt ]] && echo "ratio rg/kizuna:   $(echo "$(cat secs-rg.txt) / $k" | bc -l | cut -c1-6)"
