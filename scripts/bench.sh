#!/usr/bin/env bash
# THE benchmark command: measures the three concurrency modes (none, merge, lock) with 32 client
# threads against two Jetty nodes sharing one memcached, and writes docs/benchmarks/concurrency.md.
# Starts its own memcached on a free loopback port (installed when missing) and stops it at the end.
# Takes about 2 to 3 minutes. Extra arguments go to Maven, e.g. -Dbench.seconds=5 for a quick try
# (other knobs: -Dbench.threads, -Dbench.sessions, -Dbench.warmupSeconds, -Dbench.jitWarmupSeconds).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

ms_ensure_memcached

# The pom excludes the "benchmark" tag by default; this run selects it alone.
mvn -B -q test -Dgroups=benchmark -DexcludedGroups= -Dtest=ConcurrencyBenchmark "$@"
