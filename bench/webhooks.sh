#!/usr/bin/env bash
# Webhook benchmark: accepted deliveries/s with p50/p99 (wrk, loopback) and the time to verify and
# record a backlog of 10,000, on H2 and on PostgreSQL (127.0.0.1:5432, see README). Appends to
# BENCHMARKS.md. Needs wrk (apt-get install -y wrk). Bounded: about 15 s of load per database.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }
mvn -B -q test-compile
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
SECONDS_PER_RUN="${BENCH_SECONDS:-10}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
BACKLOG="${BENCH_BACKLOG:-10000}"
for db in ${BENCH_DATABASES:-h2 pg}; do
  java -Xmx1g -cp "$CP" -Dlog4j2.level=WARN paybridge.webhooks.WebhookBench "$db" "$SECONDS_PER_RUN" "$CONNECTIONS" "$BACKLOG" \
    > "target/bench-webhooks-$db.log" 2>&1 || { echo "bench $db failed, see target/bench-webhooks-$db.log" >&2; exit 1; }
  grep -E "Requests/sec|50%|99%|Backlog" "target/bench-webhooks-$db.log" || true
done
