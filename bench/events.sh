#!/usr/bin/env bash
# Events (issue 14): charges per second with one HTTP event destination against none (the outbox's cost
# on the charge path: its rows are written in the charge's transaction), and deliveries per second to a
# local receiver (a Vert.x server answering 200). H2 file database, sandbox at zero latency, no vendor
# webhooks. Loopback only, bounded by the charge count; results in BENCHMARKS.md (copied by hand).
#   bench/events.sh [charges=6000]
#   CLIENTS="16" RUNS="0 1" BENCH_OPTS="-Dconcurrency=8 -Dwarmup=6000 -Dbench.X=Y ..."
# RUNS alternates none (0) and one destination (1); repeat it ("0 1 0 1") on a noisy machine. RUNS=drain:
# the destination's route stopped during the charges, then a backlog of them delivered alone (deliveries/s,
# CPU per delivery; BENCH_OPTS=-Djfr=<file> records the drain alone, sampled every ms). Every RESULT line also splits the JVM's CPU by thread group (-Dthreads=true: by thread).
set -euo pipefail
cd "$(dirname "$0")/.."
charges=${1:-6000}
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
cp="target/test-classes:target/classes:$(cat target/bench.classpath)"
for run in ${RUNS:-0 1}; do
  for clients in ${CLIENTS:-16}; do
    java -Xmx2g ${BENCH_OPTS:-} -cp "$cp" paybridge.bench.EventBenchmark "$run" "$clients" "$charges" 2>&1 \
      | grep '^RESULT' || { echo "run failed: destinations=$run clients=$clients" >&2; exit 1; }
  done
done
