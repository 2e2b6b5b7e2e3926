#!/usr/bin/env bash
# THE test command: installs memcached when missing (the tests start their own
# memcached processes on free loopback ports), then runs the Maven build (and the demo WAR) with
# every test. Extra arguments go to Maven, e.g. ./scripts/test.sh -Dtest=SomeTest
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

ms_ensure_memcached

# install (not just verify) so that the demo WAR below builds against this very library
mvn -B install "$@"
mvn -B -q -f demo-webapp/pom.xml package
