#!/usr/bin/env bash
# THE demo command: two web nodes sharing HTTP sessions through one memcached.
#
#   - installs memcached when missing (Debian package; its system service is left stopped),
#   - builds and installs the library, then builds demo-webapp (WAR + Jetty jars),
#   - starts memcached on 127.0.0.1:11311 (the address in demo-webapp's web.xml),
#   - starts node-A on http://127.0.0.1:8081/ and node-B on http://127.0.0.1:8082/,
#     each a Jetty 12 (ee10) server running the same WAR,
#   - waits; Ctrl-C stops everything it started.
#
# Everything listens on loopback only. Logs go to demo-webapp/target/demo-logs/.
# Node ports can be changed with MEMSESSION_DEMO_PORT_A / MEMSESSION_DEMO_PORT_B.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

HOST=127.0.0.1
MEMCACHED_PORT=11311 # must match the "servers" init-param in demo-webapp/src/main/webapp/WEB-INF/web.xml
PORT_A="${MEMSESSION_DEMO_PORT_A:-8081}"
PORT_B="${MEMSESSION_DEMO_PORT_B:-8082}"
URL_A="http://$HOST:$PORT_A/"
URL_B="http://$HOST:$PORT_B/"

DEMO_DIR="$ROOT/demo-webapp"
TARGET="$DEMO_DIR/target"
WAR="$TARGET/memsession-demo.war"
LOG_DIR="$TARGET/demo-logs"
START_TIMEOUT=90 # seconds for each process to start listening

# ---------------------------------------------------------------- processes we start
PIDS=()
NAMES=()

# shellcheck disable=SC2317 # invoked through trap
cleanup() {
  trap - INT TERM EXIT
  if [ "${#PIDS[@]}" -eq 0 ]; then
    return 0
  fi
  ms_log "stopping: ${NAMES[*]}"
  # Nodes first (last started), memcached last; each gets up to 15 s to stop cleanly.
  local i pid deadline
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid="${PIDS[$i]}"
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 15))
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      ms_log "${NAMES[$i]} (pid $pid) did not stop: killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  ms_log "stopped"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Succeeds when something accepts TCP connections on $HOST:$1.
port_open() {
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

# start NAME PORT LOGFILE COMMAND...: starts COMMAND in the background, remembers its pid,
# and waits until it listens on PORT (fails if it exits or takes too long).
start() {
  local name="$1" port="$2" log="$3"
  shift 3
  "$@" >"$log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  NAMES+=("$name")
  local deadline=$((SECONDS + START_TIMEOUT))
  until port_open "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      ms_log "$name exited during startup; last lines of $log:"
      tail -n 40 "$log" >&2 || true
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      ms_log "$name did not listen on $HOST:$port within ${START_TIMEOUT}s; last lines of $log:"
      tail -n 40 "$log" >&2 || true
      return 1
    fi
    sleep 0.3
  done
  ms_log "$name is up on $HOST:$port (pid $pid)"
}

# ---------------------------------------------------------------- prerequisites and build
for tool in java mvn; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    ms_log "$tool is required (JDK 17 and Maven)"
    exit 1
  fi
done
ms_ensure_memcached

for port in "$MEMCACHED_PORT" "$PORT_A" "$PORT_B"; do
  if port_open "$port"; then
    ms_log "$HOST:$port is already in use (an earlier demo still running?); free it and retry"
    exit 1
  fi
done

ms_log "building and installing the library (mvn -B -q install -DskipTests; the first run downloads from Maven Central)"
mvn -B -q install -DskipTests
ms_log "building demo-webapp (WAR and the Jetty jars its launcher uses)"
mvn -B -q -f "$DEMO_DIR/pom.xml" package
if [ ! -f "$WAR" ] || [ ! -d "$TARGET/jetty-lib" ]; then
  ms_log "the demo build did not produce $WAR and $TARGET/jetty-lib"
  exit 1
fi

# ---------------------------------------------------------------- run
mkdir -p "$LOG_DIR"

memcached_args=(-l "$HOST" -p "$MEMCACHED_PORT" -U 0 -m 64 -c 256)
if [ "$(id -u)" -eq 0 ]; then
  # memcached refuses to run as root without -u; drop to nobody when that user exists.
  if id nobody >/dev/null 2>&1; then memcached_args+=(-u nobody); else memcached_args+=(-u root); fi
fi
start memcached "$MEMCACHED_PORT" "$LOG_DIR/memcached.log" memcached "${memcached_args[@]}"

NODES="node-A=$URL_A,node-B=$URL_B"
start_node() {
  local name="$1" port="$2"
  start "$name" "$port" "$LOG_DIR/$name.log" \
    java -Xmx256m -Ddemo.node="$name" -Ddemo.nodes="$NODES" \
      -cp "$TARGET/jetty-lib/*" "$DEMO_DIR/launcher/DemoLauncher.java" \
      --host "$HOST" --port "$port" --war "$WAR"
}
start_node node-A "$PORT_A"
start_node node-B "$PORT_B"

cat <<EOF

  memsession demo is running: one memcached, two nodes, one shared session.

    node-A  $URL_A
    node-B  $URL_B
    memcached  $HOST:$MEMCACHED_PORT

  Open both URLs in the same browser: the session id and the visit counter carry
  over from one node to the other. Logs: $LOG_DIR/
  Press Ctrl-C to stop.

EOF

# Wait until we are told to stop, or until one of our processes ends by itself.
set +e
wait -n "${PIDS[@]}"
status=$?
set -e
for i in "${!PIDS[@]}"; do
  if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
    ms_log "${NAMES[$i]} exited unexpectedly (status $status); see $LOG_DIR/${NAMES[$i]}.log"
  fi
done
exit 1
