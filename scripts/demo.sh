#!/usr/bin/env bash
# THE demo command: two web nodes behind a load balancer, sharing HTTP sessions through one memcached.
#
#   - installs memcached and nginx when missing (Debian packages; their system services are left
#     stopped and disabled),
#   - builds and installs the library, then builds demo-webapp (WAR + Jetty jars),
#   - starts on loopback only:
#       memcached  127.0.0.1:11311 (the address in demo-webapp's web.xml),
#       H2         127.0.0.1:11312, an H2 database server (also named in web.xml): the durable tier, the
#                  database behind memcached, so that a flushed memcached loses no session; its files
#                  go to the run directory's h2/ folder and are kept between runs,
#       node-A     127.0.0.1:8081 and node-B 127.0.0.1:8082, each a Jetty 12 (ee10) server running the
#                  same, unchanged WAR,
#       nginx      127.0.0.1:8080, round-robin over the two nodes, no sticky sessions, run in the
#                  foreground from its own generated configuration,
#   - prints the one URL to open, and waits; Ctrl-C (or SIGTERM) stops everything it started, by pid.
#
# Usage: scripts/demo.sh [--no-build]
#   --no-build   use the WAR and jars already in demo-webapp/target (the browser test does this after
#                Maven built them)
# Environment (all optional):
#   MEMSESSION_DEMO_PORT            the balancer's port (default 8080): the URL to open
#   MEMSESSION_DEMO_PORT_A/_PORT_B  the nodes' ports (default 8081 and 8082)
#   MEMSESSION_DEMO_MEMCACHED_PORT  memcached's port (default 11311; another port is given to the nodes
#                                   through a Jetty override descriptor, the WAR stays unchanged)
#   MEMSESSION_DEMO_H2_PORT         the H2 server's port (default 11312; another port reaches the nodes
#                                   the same way)
#   MEMSESSION_DEMO_RUN_DIR         where the generated nginx configuration, pid file and all logs go
#                                   (default demo-webapp/target/demo-run)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

BUILD=1
for arg in "$@"; do
  case "$arg" in
    --no-build) BUILD=0 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *)
      ms_log "unknown argument: $arg (try --help)"
      exit 2
      ;;
  esac
done

HOST=127.0.0.1
WAR_MEMCACHED_PORT=11311 # the "servers" init-param in demo-webapp/src/main/webapp/WEB-INF/web.xml
MEMCACHED_PORT="${MEMSESSION_DEMO_MEMCACHED_PORT:-$WAR_MEMCACHED_PORT}"
WAR_H2_PORT=11312 # the "jdbcUrl" init-param in the same web.xml
H2_PORT="${MEMSESSION_DEMO_H2_PORT:-$WAR_H2_PORT}"
H2_DATABASE=memsession-demo # the database name in that jdbcUrl
PORT_LB="${MEMSESSION_DEMO_PORT:-8080}"
PORT_A="${MEMSESSION_DEMO_PORT_A:-8081}"
PORT_B="${MEMSESSION_DEMO_PORT_B:-8082}"
URL="http://$HOST:$PORT_LB/"

DEMO_DIR="$ROOT/demo-webapp"
TARGET="$DEMO_DIR/target"
WAR="$TARGET/memsession-demo.war"
H2_JAR="$TARGET/h2-server/h2.jar" # copied there by the demo-webapp build: the driver the WAR carries
RUN_DIR="${MEMSESSION_DEMO_RUN_DIR:-$TARGET/demo-run}"
LOG_DIR="$RUN_DIR/logs"
NGINX_DIR="$RUN_DIR/nginx"
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
  # Last started first (balancer, nodes, H2, memcached); each gets up to 15 s to stop cleanly.
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

# launch NAME LOGFILE COMMAND...: starts COMMAND in the background and remembers its pid.
# Each runs in a session of its own (setsid, which does not fork here: a background job is no process
# group leader), so that Ctrl-C reaches only this script, which then stops them in order; nginx and
# memcached would otherwise quit on the terminal's SIGINT by themselves.
launch() {
  local name="$1" log="$2"
  shift 2
  if command -v setsid >/dev/null 2>&1; then
    setsid "$@" >"$log" 2>&1 </dev/null &
  else
    "$@" >"$log" 2>&1 </dev/null &
  fi
  PIDS+=("$!")
  NAMES+=("$name")
}

# await NAME PORT: waits until the process launched as NAME listens on PORT (fails if it exits
# or takes too long).
await() {
  local name="$1" port="$2" i pid=""
  for i in "${!NAMES[@]}"; do
    if [ "${NAMES[$i]}" = "$name" ]; then pid="${PIDS[$i]}"; fi
  done
  local log="$LOG_DIR/$name.log"
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
    sleep 0.2
  done
  ms_log "$name is up on $HOST:$port (pid $pid)"
}

# Writes the balancer's configuration: round-robin (nginx's default) over both nodes; no ip_hash,
# no hash, no sticky cookie, so consecutive requests of one user alternate between the nodes.
write_nginx_conf() {
  local user_line=""
  if [ "$(id -u)" -eq 0 ]; then
    # the master runs as root (nothing else is needed here); its workers drop to nobody
    user_line="user nobody nogroup;"
    if ! getent group nogroup >/dev/null 2>&1; then user_line="user nobody;"; fi
  fi
  cat >"$NGINX_DIR/nginx.conf" <<EOF
# Generated by scripts/demo.sh: the demo's load balancer. Loopback only.
$user_line
worker_processes 1;
pid $NGINX_DIR/nginx.pid;
error_log $LOG_DIR/nginx-error.log warn;
events { worker_connections 256; }
http {
  access_log $LOG_DIR/nginx-access.log;
  client_body_temp_path $NGINX_DIR/client_body;
  proxy_temp_path $NGINX_DIR/proxy;
  fastcgi_temp_path $NGINX_DIR/fastcgi;
  uwsgi_temp_path $NGINX_DIR/uwsgi;
  scgi_temp_path $NGINX_DIR/scgi;

  upstream memsession_demo {
    # round-robin, no stickiness: any node serves any request; a node that does not answer is
    # skipped for 2 s and its requests go to the other one
    server $HOST:$PORT_A max_fails=1 fail_timeout=2s;
    server $HOST:$PORT_B max_fails=1 fail_timeout=2s;
    keepalive 16;
  }
  server {
    listen $HOST:$PORT_LB;
    location / {
      proxy_pass http://memsession_demo;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
    }
  }
}
EOF
}

# ---------------------------------------------------------------- prerequisites and build
for tool in java mvn; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    ms_log "$tool is required (JDK 17 and Maven)"
    exit 1
  fi
done
ms_ensure_memcached
ms_ensure_nginx
NGINX="$(ms_nginx_bin)"

for port in "$MEMCACHED_PORT" "$H2_PORT" "$PORT_A" "$PORT_B" "$PORT_LB"; do
  if port_open "$port"; then
    ms_log "$HOST:$port is already in use (an earlier demo still running?); free it and retry"
    exit 1
  fi
done

if [ "$BUILD" -eq 1 ]; then
  ms_log "building and installing the library (mvn -B -q install -DskipTests; the first run downloads from Maven Central)"
  mvn -B -q install -DskipTests
  ms_log "building demo-webapp (WAR, the Jetty jars its launcher uses, the H2 server jar)"
  # clean: the WAR plugin keeps a library jar already in target/ when that one's date is newer
  mvn -B -q -f "$DEMO_DIR/pom.xml" clean package -DskipTests
fi
if [ ! -f "$WAR" ] || [ ! -d "$TARGET/jetty-lib" ] || [ ! -f "$H2_JAR" ]; then
  ms_log "no $WAR, $TARGET/jetty-lib or $H2_JAR: build demo-webapp first (scripts/demo.sh without --no-build does)"
  exit 1
fi

# ---------------------------------------------------------------- run
mkdir -p "$LOG_DIR"
rm -rf "$NGINX_DIR"
mkdir -p "$NGINX_DIR"

memcached_args=(-l "$HOST" -p "$MEMCACHED_PORT" -U 0 -m 64 -c 256)
if [ "$(id -u)" -eq 0 ]; then
  # memcached refuses to run as root without -u; drop to nobody when that user exists.
  if id nobody >/dev/null 2>&1; then memcached_args+=(-u nobody); else memcached_args+=(-u root); fi
fi
launch memcached "$LOG_DIR/memcached.log" memcached "${memcached_args[@]}"
await memcached "$MEMCACHED_PORT"

# H2's TCP server, bound to loopback (h2.bindAddress; without -tcpAllowOthers it also refuses remote
# clients). -ifNotExists lets the first connection create the database with the user and password
# that web.xml names.
mkdir -p "$RUN_DIR/h2"
launch h2 "$LOG_DIR/h2.log" \
  java -Xmx128m -Dh2.bindAddress="$HOST" -cp "$H2_JAR" org.h2.tools.Server \
    -tcp -tcpPort "$H2_PORT" -ifNotExists -baseDir "$RUN_DIR/h2"
await h2 "$H2_PORT"

node_args=()
if [ "$MEMCACHED_PORT" != "$WAR_MEMCACHED_PORT" ]; then
  node_args+=(--memcached "$HOST:$MEMCACHED_PORT")
fi
if [ "$H2_PORT" != "$WAR_H2_PORT" ]; then
  node_args+=(--database "jdbc:h2:tcp://$HOST:$H2_PORT/$H2_DATABASE")
fi
launch_node() {
  local name="$1" port="$2"
  launch "$name" "$LOG_DIR/$name.log" \
    java -Xmx256m -Ddemo.node="$name" \
      -cp "$TARGET/jetty-lib/*" "$DEMO_DIR/launcher/DemoLauncher.java" \
      --host "$HOST" --port "$port" --war "$WAR" "${node_args[@]}"
}
# both nodes start at once; each listens only once its webapp is deployed
launch_node node-A "$PORT_A"
launch_node node-B "$PORT_B"
await node-A "$PORT_A"
await node-B "$PORT_B"

write_nginx_conf
"$NGINX" -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -e "$LOG_DIR/nginx-error.log" -t \
  >"$LOG_DIR/nginx.log" 2>&1 || { ms_log "the generated nginx configuration is invalid:"; cat "$LOG_DIR/nginx.log" >&2; exit 1; }
# in the foreground (daemon off), so that its pid is the one we stop
launch nginx "$LOG_DIR/nginx.log" \
  "$NGINX" -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -e "$LOG_DIR/nginx-error.log" -g 'daemon off;'
await nginx "$PORT_LB"

cat <<EOF

  memsession demo is running. Open:

      $URL

  nginx $HOST:$PORT_LB (round-robin, no sticky sessions)
    -> node-A $HOST:$PORT_A and node-B $HOST:$PORT_B (Jetty 12, the same WAR)
    -> memcached $HOST:$MEMCACHED_PORT, and behind it the durable tier: H2 $HOST:$H2_PORT
  Reload the page: the node changes, the session and its visit counter stay.
  Flush memcached (in bash: printf 'flush_all\\r\\n' >/dev/tcp/$HOST/$MEMCACHED_PORT) and reload: the
  session is read back from H2.
  Logs and the generated nginx.conf: $RUN_DIR/
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
