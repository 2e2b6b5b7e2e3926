#!/usr/bin/env bash
# THE test command: installs memcached, PostgreSQL and MariaDB when missing (the tests start their own
# server processes on free loopback ports, in temporary directories), then runs the Maven build (and the demo WAR) with
# every test. Extra arguments go to Maven, e.g. ./scripts/test.sh -Dtest=SomeTest
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

ms_ensure_memcached
ms_ensure_databases

# install (not just verify) so that the demo WAR below builds against this very library
mvn -B install "$@"
mvn -B -q -f demo-webapp/pom.xml package
