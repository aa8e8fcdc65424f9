#!/usr/bin/env bash
# Charge throughput and latency through the sandbox at zero vendor latency, on H2 and PostgreSQL.
# Loopback only, bounded by the charge count. Usage: bench/charges.sh [clients] [charges]
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-32}
charges=${2:-10000}
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
cp="target/test-classes:target/classes:$(cat target/bench.classpath)"
for db in h2 postgres; do
  java -Xmx2g -cp "$cp" -DPAYBRIDGE_LOG_LEVEL=WARN paybridge.bench.ChargeBenchmark "$db" "$clients" "$charges" 2>&1 \
    | grep '^RESULT'
done
