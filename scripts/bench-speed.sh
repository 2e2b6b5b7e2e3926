#!/usr/bin/env bash
# The speed benchmark (issue 10): Jetty in-memory sessions, Jetty's memcached sessions (non-sticky) and
# memsession in each concurrency mode, one Jetty 12 server JVM per mode, a fresh memcached, wrk with 32
# connections on 1,000 sessions; writes docs/benchmarks/speed.md. Not part of the test suite.
# Installs memcached and wrk from Debian's packages when missing; installs the library into the local
# Maven repository (mvn install -DskipTests) so that the benchmark/ module uses this working tree's code.
#
#   ./scripts/bench-speed.sh                       # full run: 60-150 s warm-up per mode, 3 rounds of 10 s (~25 min)
#   ./scripts/bench-speed.sh -Dbench.quick=true    # a try: about 2-3 minutes, rough figures
# Other knobs (-Dbench.NAME=VALUE): modes, endpoints, sessions, connections, wrkThreads, seconds, rounds,
# warmupSliceSeconds, warmupMinSeconds, warmupMaxSeconds, stableSlices, stableTolerance, profile (modes to
# record with JFR, comma-separated), profileEndpoints, profileSeconds, heapProbeSessions, serverHeap,
# disturbedPercent, output.
# A mode may carry extra filter init-params: memsession-merge:mutationDetection=setAttribute
# A/B against another build: -Dbench.baselineJar=<jar> -Dbench.modes=jetty-memory,memsession-merge@baseline,memsession-merge
# The memcached client alone, after a build: java -cp "benchmark/target/classes:$(cat benchmark/target/classpath.txt)" io.memsession.benchmark.ClientCost 8
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

ms_ensure_memcached
if ! command -v wrk >/dev/null 2>&1; then
  ms_log "wrk not found: installing it with apt-get"
  ms_as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  ms_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk
fi

ms_log "installing the library (mvn install -DskipTests) and building benchmark/"
mvn -B -q install -DskipTests
mvn -B -q -f benchmark/pom.xml compile

exec java -Xmx512m -cp "benchmark/target/classes:$(cat benchmark/target/classpath.txt)" \
  "$@" io.memsession.benchmark.SpeedBenchmark
