#!/usr/bin/env bash
# Charge throughput and latency (issue 3): POST /api/payments (iamport KEY_IN) through the sandbox at
# zero vendor latency, paybridge started as `java -jar` starts it but in the bench profile (no dev
# tooling), logging at INFO as prod does. Loopback only, bounded by the charge count; results in
# BENCHMARKS.md (copied by hand). Prints one RESULT line per run.
#   bench/charges.sh [charges=6000]
#   DATABASES="h2 postgres" CLIENTS="4 16" WEBHOOKS="false true" BENCH_OPTS="-Dbench.X=Y ..."
# WEBHOOKS=true: the simulated iamport also sends its webhook for every payment, which paybridge
# stores, verifies (a second vendor call) and checks against the ledger, on the same two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
charges=${1:-6000}
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
cp="target/test-classes:target/classes:$(cat target/bench.classpath)"
for db in ${DATABASES:-h2 postgres}; do
  for webhooks in ${WEBHOOKS:-false true}; do
    for clients in ${CLIENTS:-4 16}; do
      java -Xmx2g -Dwebhooks="$webhooks" ${BENCH_OPTS:-} -cp "$cp" paybridge.bench.ChargeBenchmark "$db" "$clients" "$charges" 2>&1 \
        | grep '^RESULT' || { echo "run failed: $db clients=$clients webhooks=$webhooks" >&2; exit 1; }
    done
  done
done
