#!/usr/bin/env bash
# Billing benchmark (issue 5): N due subscriptions against the Steppay sandbox at a given latency and
# concurrency; one billing run; prints a RESULT line (the run's own startedAt..finishedAt).
#   bench/billing.sh [nodes=1] [subscriptions=10000] [latency=PT0.1S] [concurrency=64] [db=h2|pg] [warm-up=3000]
# Two or more nodes always use a throwaway PostgreSQL database on 127.0.0.1:5432 (PAYBRIDGE_TEST_PG_URL),
# started in this one JVM (each with its own ports, sandbox and Quartz scheduler name).
# Nodes run in the bench profile (sandbox vendors, no dev tooling); BENCH_OPTS="-Dbench.X=Y" sets property X=Y;
# BENCH_OPTS="-Dbench.rounds=3" measures three runs in a row in the same JVM (JIT time per run is printed).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q test-compile
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt
exec java ${BENCH_OPTS:-} -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
    paybridge.billing.BillingBench "${1:-1}" "${2:-10000}" "${3:-PT0.1S}" "${4:-64}" "${5:-h2}" "${6:-3000}" 2>&1 \
    | grep -E '^(RESULT|inserted|warm-up|Exception in)'
