# Shared helpers for scripts/test.sh and scripts/demo.sh. Source it; do not run it.
# shellcheck shell=bash

# Prints a line prefixed with the calling script's name, on stderr.
ms_log() {
  printf '[%s] %s\n' "$(basename "${0:-memsession}")" "$*" >&2
}

# Runs a command as root: directly when already root, else through sudo.
ms_as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    ms_log "need root (or sudo) to run: $*"
    return 1
  fi
}

# Stops and disables the memcached system service that Debian's package sets up,
# so that nothing keeps listening on 127.0.0.1:11211 because of our install.
# Tests and the demo start their own memcached processes from the binary.
ms_disable_memcached_service() {
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    ms_as_root systemctl disable --now memcached.service >/dev/null 2>&1 || true
  else
    # No systemd running (typical container): use the SysV init script, which
    # stops the daemon through its pid file, and keep it from starting at boot.
    if [ -x /etc/init.d/memcached ]; then
      ms_as_root /etc/init.d/memcached stop >/dev/null 2>&1 || true
    fi
    if command -v update-rc.d >/dev/null 2>&1; then
      ms_as_root update-rc.d memcached disable >/dev/null 2>&1 || true
    fi
    if command -v systemctl >/dev/null 2>&1; then
      ms_as_root systemctl disable memcached.service >/dev/null 2>&1 || true
    fi
  fi
}

# Installs memcached from Debian's packages when the binary is not on PATH.
# Idempotent: does nothing when memcached is already installed.
ms_ensure_memcached() {
  if command -v memcached >/dev/null 2>&1; then
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    ms_log "memcached is not installed and apt-get is not available: install memcached yourself"
    return 1
  fi
  ms_log "memcached not found: installing it with apt-get"

  # Keep the package's maintainer scripts from starting the service at all
  # (invoke-rc.d and deb-systemd-invoke honour policy-rc.d exit code 101).
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [ ! -e "$policy" ]; then
    if ms_as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"; then
      created_policy=1
    fi
  fi

  local rc=0
  ms_as_root env DEBIAN_FRONTEND=noninteractive apt-get update || rc=$?
  if [ "$rc" -eq 0 ]; then
    ms_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends memcached || rc=$?
  fi

  if [ "$created_policy" -eq 1 ]; then
    ms_as_root rm -f "$policy" || true
  fi
  # Whatever the policy did, make sure no service is left running or enabled.
  ms_disable_memcached_service

  if [ "$rc" -ne 0 ] || ! command -v memcached >/dev/null 2>&1; then
    ms_log "could not install memcached (apt-get exit code $rc)"
    return 1
  fi
  ms_log "installed $(memcached -V 2>/dev/null || echo memcached)"
}

# Stops and disables the PostgreSQL and MariaDB system services that Debian's packages set up: the
# tests start their own servers from the binaries, in temporary directories on free loopback ports.
ms_disable_database_services() {
  local service
  for service in postgresql mariadb; do
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      ms_as_root systemctl disable --now "$service.service" >/dev/null 2>&1 || true
    else
      if [ -x "/etc/init.d/$service" ]; then
        ms_as_root "/etc/init.d/$service" stop >/dev/null 2>&1 || true
      fi
      if command -v update-rc.d >/dev/null 2>&1; then
        ms_as_root update-rc.d "$service" disable >/dev/null 2>&1 || true
      fi
      if command -v systemctl >/dev/null 2>&1; then
        ms_as_root systemctl disable "$service.service" >/dev/null 2>&1 || true
      fi
    fi
  done
}

# Installs PostgreSQL and MariaDB from Debian's packages when their server binaries are missing (the
# durable tier's tests run on both). Idempotent; no service is left running or enabled.
ms_ensure_databases() {
  local missing=()
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    missing+=(postgresql)
  fi
  if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
    missing+=(mariadb-server)
  fi
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    ms_log "${missing[*]} not installed and apt-get is not available: install them yourself"
    return 1
  fi
  ms_log "installing ${missing[*]} with apt-get"

  # Keep the packages' maintainer scripts from starting the services (see ms_ensure_memcached).
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [ ! -e "$policy" ]; then
    if ms_as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"; then
      created_policy=1
    fi
  fi

  local rc=0
  ms_as_root env DEBIAN_FRONTEND=noninteractive apt-get update || rc=$?
  if [ "$rc" -eq 0 ]; then
    ms_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" || rc=$?
  fi

  if [ "$created_policy" -eq 1 ]; then
    ms_as_root rm -f "$policy" || true
  fi
  ms_disable_database_services

  if [ "$rc" -ne 0 ]; then
    ms_log "could not install ${missing[*]} (apt-get exit code $rc)"
    return 1
  fi
  ms_log "installed ${missing[*]}"
}
