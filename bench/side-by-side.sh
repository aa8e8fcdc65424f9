#!/usr/bin/env bash
# paybridge beside the bare-stack baseline (../shared/baseline by default), same machine, same run:
# runs the baseline's side_by_side.sh for each flow against this checkout and appends its SIDE_BY_SIDE
# lines, with the date and this checkout's commit, to bench/results/side-by-side.txt.
#
#   bench/side-by-side.sh [BASELINE_DIR] [ROUNDS]
#
# Environment: FLOWS (default "charge webhook"), WARMUP (s, default 60), SECS (s measured, default 20),
# CONNS (64), JAVA_OPTS, PROCESSING=1 (webhook verification on) — passed through to side_by_side.sh.
# Builds target/paybridge.jar when missing (BUILD=1 rebuilds). Needs wrk (installed with apt-get if missing).
# The baseline folder is copied to /tmp when it is read-only (its bare jar is built there on first use).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BASE=$(cd "${1:-$HERE/../shared/baseline}" && pwd)
ROUNDS=${2:-${ROUNDS:-2}}
FLOWS=${FLOWS:-charge webhook}
export WARMUP=${WARMUP:-60} SECS=${SECS:-20}

if ! command -v wrk >/dev/null; then
  echo "wrk not found: installing it (apt-get install -y wrk)" >&2
  { apt-get update -qq && apt-get install -y -qq wrk; } >&2 || { echo "could not install wrk" >&2; exit 1; }
fi

# read-only: not writable, or (as root, who may write anyway) no owner write bit on the folder
if [[ ! -w "$BASE" || $(stat -c %A "$BASE") != ?w* ]]; then
  copy=/tmp/paybridge-baseline
  # keep a bare jar built in an earlier copy; refresh everything else
  mkdir -p "$copy"
  (cd "$BASE" && tar cf - --exclude=bare/target .) | (cd "$copy" && tar xf -)
  BASE=$copy
fi

cd "$HERE"
if [[ ${BUILD:-0} == 1 || ! -f target/paybridge.jar ]]; then
  mvn -B -q package -DskipTests
fi

COMMIT=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src routes application.properties pom.xml || echo "+dirty")
mkdir -p bench/results
OUT=bench/results/side-by-side.txt
for flow in $FLOWS; do
  log=$(mktemp /tmp/side-by-side.XXXXXX)
  echo "== $flow: WARMUP=$WARMUP SECS=$SECS ROUNDS=$ROUNDS baseline=$BASE commit=$COMMIT" >&2
  if "$BASE/side_by_side.sh" "$flow" "$HERE" "$ROUNDS" 2>&1 | tee "$log" >&2; then :; fi
  line=$(grep '^SIDE_BY_SIDE' "$log" || true)
  if [[ -z $line ]]; then echo "no SIDE_BY_SIDE line for $flow (output: $log)" >&2; continue; fi
  rm -f "$log"
  printf '%s commit=%s warmup=%s secs=%s rounds=%s conns=%s processing=%s %s\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$COMMIT" "$WARMUP" "$SECS" "$ROUNDS" "${CONNS:-64}" "${PROCESSING:-0}" "$line" | tee -a "$OUT"
done
