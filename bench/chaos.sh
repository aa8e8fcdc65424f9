#!/usr/bin/env bash
# Chaos run: two paybridge nodes on one fresh PostgreSQL database against the vendor sandbox (its own
# JVM), loopback only, for a bounded time (default 10 minutes) with a steady mix of API charges,
# refunds, billing runs and webhooks, while a node is killed with -9 and restarted at random moments,
# the simulated vendors are slow, fail, hang and lose answers at random, and node b runs with its
# clock offset (libfaketime). Then it waits for reconcile and audits the vendors' records against
# paybridge's tables (paybridge.chaos.ChaosAudit); prints every count and violation and exits non-zero
# on any violation. The summary is kept in target/chaos/<run>/summary.txt, node logs beside it.
#   bench/chaos.sh [duration=PT10M]
#   CHAOS_OPTS="-Dchaos.clients=6 -Dchaos.subscriptions=60 -Dchaos.kill-min=PT30S -Dchaos.kill-max=PT90S
#               -Dchaos.faults.lose=0.04 -Dchaos.clock-offset=+90s -Dchaos.keep-database=true ..."
# Needs PostgreSQL on 127.0.0.1:5432 (PAYBRIDGE_TEST_PG_URL / PAYBRIDGE_TEST_PG_USER) and installs
# faketime with apt-get when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-PT10M}
if ! ls /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 >/dev/null 2>&1; then
  SUDO=$(command -v sudo >/dev/null 2>&1 && [ "$(id -u)" != 0 ] && echo sudo || true)
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq faketime
fi
# The run is the JUnit test ChaosTest with the bench defaults (chaos.profile=bench), run by Surefire:
# the nodes and the sandbox are started with the test class path Surefire builds (the dependency
# plugin's build-classpath does not resolve offline here).
set +e
mvn -B -q ${MVN_OFFLINE:--o} test -Dtest=ChaosTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dchaos.profile=bench -Dchaos.duration="$duration" ${CHAOS_OPTS:-}
status=$?
set -e
summary=$(ls -td target/chaos/*/ 2>/dev/null | head -1)
if [ -n "$summary" ] && [ -f "$summary/summary.txt" ]; then
  cat "$summary/summary.txt"
else
  echo "no summary: see target/surefire-reports/paybridge.chaos.ChaosTest-output.txt" >&2
fi
exit $status
