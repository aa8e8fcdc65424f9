#!/usr/bin/env bash
# CPU per request and a JFR profile of one flow, for comparing one change against the previous commit
# on a shared machine (CPU µs per request moves far less with other load than req/s does).
#
#   bench/profile.sh charge|webhook [BASELINE_DIR]
#
# Starts the baseline's bare fake iamport (charge) and target/paybridge.jar (prod profile, H2 file database
# in a temp folder, webhook processing off) with JFR (settings=profile), drives it with the baseline's wrk
# script for WARMUP s (default 30), then measures SECS s (default 30): requests, and the java process's CPU
# time from /proc/<pid>/stat over that window. Prints one PROFILE line; the recording and the aggregated
# top frames of the measured window (bench/JfrTop.java: self time, paybridge/camel frames, allocation) go to OUT (default /tmp/pb-profile-<flow>).
# JFR=0 runs without the recorder; JAR=<path> runs another build (e.g. the previous commit's, copied aside). Stops only what it started.
set -euo pipefail
FLOW=${1:?charge|webhook}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BASE=${2:-/tmp/paybridge-baseline}
[[ -f $BASE/bare/target/bare.jar ]] || { echo "run bench/side-by-side.sh once first (builds $BASE/bare/target/bare.jar)" >&2; exit 2; }
WARMUP=${WARMUP:-30} SECS=${SECS:-30} CONNS=${CONNS:-64}
OUT=${OUT:-/tmp/pb-profile-$FLOW}; rm -rf "$OUT"; mkdir -p "$OUT"
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 1;
            for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$OUT/db"; }
trap cleanup EXIT
VURL=http://127.0.0.1:9
if [[ $FLOW == charge ]]; then
  VPORT=$(free_port); java -jar "$BASE/bare/target/bare.jar" vendor --port "$VPORT" >"$OUT/vendor.log" 2>&1 &
  PIDS+=($!); VURL=http://127.0.0.1:$VPORT
  for i in $(seq 1 80); do curl -s -o /dev/null -X POST "$VURL/users/getToken" && break; sleep 0.25; done
fi
PPORT=$(free_port); MPORT=$(free_port)
T0=$(date +%s%N)
( cd "$HERE"; exec env CAMEL_MAIN_PROFILE=prod PAYBRIDGE_HTTP_PORT=$PPORT CAMEL_MANAGEMENT_PORT=$MPORT \
    PAYBRIDGE_DB_URL="jdbc:h2:file:$OUT/db/pb" PAYBRIDGE_API_KEY=bench-key \
    PAYBRIDGE_VENDORS=iamport IAMPORT_BASE_URL="$VURL" IAMPORT_API_KEY=k IAMPORT_API_SECRET=s \
    PAYBRIDGE_BILLING_CRON='0 0 3 1 1 ? 2099' PAYBRIDGE_WEBHOOK_PROCESSING_ENABLED=false \
    java ${JAVA_OPTS:-} -jar "${JAR:-target/paybridge.jar}" ) >"$OUT/paybridge.log" 2>&1 &
PB=$!; PIDS+=($PB)
for i in $(seq 1 400); do curl -fs "http://127.0.0.1:$MPORT/observe/health" 2>/dev/null | grep -q UP && break; sleep 0.05; done
T1=$(date +%s%N)
echo "started (health UP) in $(( (T1-T0)/1000000 )) ms"
TAG=p$(date +%s)
export WRK_AUTH=bench-key
wrk -t2 -c"$CONNS" -d"${WARMUP}s" -s "$BASE/wrk/$FLOW.lua" "http://127.0.0.1:$PPORT" -- "${TAG}w" >"$OUT/warmup.txt" 2>&1
cpu() { awk '{print $14+$15}' "/proc/$PB/stat"; }
# the same without the JIT compiler threads (their work falls off as the code warms up, at a pace that
# depends on what else runs on the machine); comm is field 2, in parentheses, and may contain spaces
app_cpu() { for t in /proc/$PB/task/*; do cat "$t/stat" 2>/dev/null; done |
            awk '{ c=$0; sub(/^[0-9]+ \(/,"",c); comm=substr(c,1,index(c,") ")-1); sub(/^.*\) /,"",c); split(c,f," ");
                   if (comm !~ /Compiler/) s+=f[12]+f[13] } END{print s}'; }
[[ ${JFR:-1} == 1 ]] && jcmd "$PB" JFR.start name=bench settings=profile >/dev/null
c0=$(cpu); a0=$(app_cpu)
wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -s "$BASE/wrk/$FLOW.lua" "http://127.0.0.1:$PPORT" -- "${TAG}m" >"$OUT/wrk.txt" 2>&1
c1=$(cpu); a1=$(app_cpu)
[[ ${JFR:-1} == 1 ]] && jcmd "$PB" JFR.stop name=bench filename="$OUT/rec.jfr" >/dev/null
rss=$(awk '/VmRSS/{print $2}' "/proc/$PB/status")
line=$(grep '^WRK ' "$OUT/wrk.txt")
req=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$line")
tck=$(getconf CLK_TCK)
echo "PROFILE flow=$FLOW commit=$(cd "$HERE" && git rev-parse --short HEAD) secs=$SECS warmup=$WARMUP ${line#WRK } cpu_s=$(awk -v a=$c0 -v b=$c1 -v t=$tck 'BEGIN{printf "%.2f",(b-a)/t}') us_per_req=$(awk -v a=$c0 -v b=$c1 -v t=$tck -v r=$req 'BEGIN{printf "%.1f",(b-a)/t*1e6/r}') us_per_req_no_jit=$(awk -v a=$a0 -v b=$a1 -v t=$tck -v r=$req 'BEGIN{printf "%.1f",(b-a)/t*1e6/r}') rss_mib=$((rss/1024)) load=$(cut -d' ' -f1 /proc/loadavg)" | tee "$OUT/result.txt"
if [[ ${JFR:-1} == 1 ]]; then
  java "$HERE/bench/JfrTop.java" "$OUT/rec.jfr" 50 >"$OUT/top.txt" 2>&1 || true
  # allocation per request from JFR's allocation samples (weighted: an estimate, steadier than CPU under load)
  mb=$(sed -n 's/^== allocation: sampled weight \([0-9]*\) MB/\1/p' "$OUT/top.txt")
  [[ -n $mb ]] && echo "ALLOC flow=$FLOW kb_per_req=$(awk -v m=$mb -v r=$req 'BEGIN{printf "%.0f", m*1000/r}')" | tee -a "$OUT/result.txt"
  echo "profile: $OUT/top.txt"
fi
