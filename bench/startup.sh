#!/usr/bin/env bash
# Start-up time: process start to /observe/health UP, for `java -jar` (prod profile, H2 file database),
# RUNS times (default 3) against a database already migrated by a first, unmeasured start, and once on a
# fresh database (migrations included). JAR=<path> measures another build. Prints one STARTUP line per run.
# CHARGES=N (dev profile: sandbox vendors): after the last run is UP, N key-in charges (4 at a time), then
# one RSS line (issue: RSS after 1,000 charges).
# CDS=1: as the container image starts (Dockerfile): a class-data sharing archive of the jar written first
# by deploy/class-data-archive.sh, and every run started with -XX:SharedArchiveFile (README: java -jar alone).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAR=${JAR:-$HERE/target/paybridge.jar}; RUNS=${RUNS:-3}; PROFILE=${PROFILE:-prod}
WORK=$(mktemp -d /tmp/pb-startup.XXXXXX); PID=""
cleanup() { [[ -n $PID ]] && kill "$PID" 2>/dev/null; sleep 0.5; [[ -n $PID ]] && kill -9 "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
# prod needs credentials to start; dev's sandbox answers only its own (application-dev.properties)
VENDOR_CREDENTIALS="IAMPORT_API_KEY=k IAMPORT_API_SECRET=s"; [[ $PROFILE == dev ]] && VENDOR_CREDENTIALS=""
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
once() {  # $1 = label
  local p m t0 t1; p=$(port); m=$(port); t0=$(date +%s%N)
  ( cd "$HERE"; exec env CAMEL_MAIN_PROFILE=$PROFILE PAYBRIDGE_HTTP_PORT=$p CAMEL_MANAGEMENT_PORT=$m \
      PAYBRIDGE_DB_URL="jdbc:h2:file:$WORK/db/pb" PAYBRIDGE_API_KEY=k PAYBRIDGE_VENDORS=iamport \
      $VENDOR_CREDENTIALS java ${JAVA_OPTS:-} -jar "$JAR" ) >"$WORK/log" 2>&1 &
  PID=$!
  until curl -fs "http://127.0.0.1:$m/observe/health" 2>/dev/null | grep -q UP; do
    kill -0 "$PID" 2>/dev/null || { tail -20 "$WORK/log"; exit 1; }; sleep 0.02; done
  t1=$(date +%s%N)
  echo "STARTUP $1 ms=$(( (t1-t0)/1000000 )) rss_mib=$(( $(awk '/VmRSS/{print $2}' /proc/$PID/status)/1024 )) load=$(cut -d' ' -f1 /proc/loadavg)"
  if [[ -n ${CHARGES:-} && $1 == "migrated-database#$RUNS" ]]; then
    seq 1 "$CHARGES" | xargs -P4 -I{} curl -s -o /dev/null -w '%{http_code}\n' -X POST "http://127.0.0.1:$p/api/payments" \
      -H 'Content-Type: application/json' -H 'Authorization: Bearer k' -d '{"paymentId": "rss-{}", "vendor": "iamport",
      "method": "KEY_IN", "amount": 3000, "orderName": "rss", "customer": {"id": "user-{}"},
      "card": {"number": "1234-1234-1234-1234", "expiry": "2028-01", "birth": "900101", "pwd2digit": "12"}}' \
      | sort | uniq -c | tr '\n' ' ' | sed 's/^/statuses: /'; echo
    echo "RSS after_charges=$CHARGES rss_mib=$(( $(awk '/VmRSS/{print $2}' /proc/$PID/status)/1024 ))"
    jcmd "$PID" GC.heap_info 2>/dev/null | grep -E "garbage-first heap|Metaspace" | sed 's/^ */heap: /' || true
  fi
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
}
if [[ ${CDS:-0} == 1 ]]; then
  ( cd "$HERE"; CLASS_DATA_HTTP_PORT=$(port) CLASS_DATA_MANAGEMENT_PORT=$(port) \
      sh deploy/class-data-archive.sh "$JAR" "$WORK/paybridge.jsa" ) >"$WORK/class-data.log" 2>&1 \
    || { tail -20 "$WORK/class-data.log"; exit 1; }
  # -Xshare:on: an archive the JVM would not map fails the run instead of being measured without it
  JAVA_OPTS="${JAVA_OPTS:-} -Xshare:on -XX:SharedArchiveFile=$WORK/paybridge.jsa"
fi
once fresh-database
for i in $(seq 1 "$RUNS"); do once "migrated-database#$i"; done
