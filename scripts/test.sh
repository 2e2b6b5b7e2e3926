#!/usr/bin/env bash
# THE test command: installs what the tests run when missing (memcached; nutcracker, i.e. twemproxy,
# for the proxy test; sasl2-bin for the SASL test; PostgreSQL and MariaDB for
# the durable tier's tests; nginx, chromium and chromium-driver for the browser test; all Debian
# packages, no service left running: the tests start their own servers on free loopback ports), then
# runs the Maven build with every test, then builds the demo WAR and runs the browser test against the
# demo cluster (scripts/demo.sh --no-build, on free loopback ports). Extra arguments go to the first
# Maven run, e.g. ./scripts/test.sh -Dtest=SomeTest
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

ms_ensure_memcached
ms_ensure_nutcracker
ms_ensure_sasl2_bin
ms_ensure_databases
ms_ensure_nginx
ms_ensure_chromium

# install (not just verify) so that the demo WAR below builds against this very library
mvn -B install "$@"
# the demo WAR, then (failsafe) DemoBrowserIT: headless Chromium through nginx, which saves
# docs/demo-screenshot.png; and StockContainersIT: the same WAR in stock Tomcat, Jetty
# and WildFly distributions.
# clean: the WAR plugin keeps a library jar already in target/ when that
# one's date is newer, so the WAR could otherwise carry an older build of the library.
mvn -B -f demo-webapp/pom.xml clean verify
# the Spring Boot starter: two Boot instances with Spring Security on one memcached (Boot 3.5), then
# the same tests under Boot 4.0 against the jar just built (one starter jar for both)
mvn -B -f memsession-spring-boot-starter/pom.xml verify
mvn -B -f memsession-spring-boot-starter/boot4/pom.xml verify
