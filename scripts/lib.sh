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

# Stops and disables the system service NAME that a Debian package may have set up, so that
# nothing keeps running or listening because of our install (memcached would sit on
# 127.0.0.1:11211, nginx on port 80). Tests and the demo start their own processes from the binaries.
ms_disable_service() {
  local name="$1"
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    ms_as_root systemctl disable --now "$name.service" >/dev/null 2>&1 || true
  else
    # No systemd running (typical container): use the SysV init script, which
    # stops the daemon through its pid file, and keep it from starting at boot.
    if [ -x "/etc/init.d/$name" ]; then
      ms_as_root "/etc/init.d/$name" stop >/dev/null 2>&1 || true
    fi
    if command -v update-rc.d >/dev/null 2>&1; then
      ms_as_root update-rc.d "$name" disable >/dev/null 2>&1 || true
    fi
    if command -v systemctl >/dev/null 2>&1; then
      ms_as_root systemctl disable "$name.service" >/dev/null 2>&1 || true
    fi
  fi
}

# Kept for callers of the former name.
ms_disable_memcached_service() {
  ms_disable_service memcached
}

# ms_apt_install PACKAGE...: installs Debian packages without letting their maintainer scripts
# start any service. Returns apt-get's failure, if any.
ms_apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    ms_log "apt-get is not available: install $* yourself"
    return 1
  fi
  ms_log "installing with apt-get: $*"

  # invoke-rc.d and deb-systemd-invoke honour policy-rc.d exit code 101 ("do not start").
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [ ! -e "$policy" ]; then
    if ms_as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"; then
      created_policy=1
    fi
  fi

  local rc=0
  if [ -z "${MS_APT_UPDATED:-}" ]; then
    # once per run: later installs of the same run use the lists this one fetched
    ms_as_root env DEBIAN_FRONTEND=noninteractive apt-get update || rc=$?
    [ "$rc" -eq 0 ] && MS_APT_UPDATED=1
  fi
  if [ "$rc" -eq 0 ]; then
    ms_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" || rc=$?
  fi

  if [ "$created_policy" -eq 1 ]; then
    ms_as_root rm -f "$policy" || true
  fi
  if [ "$rc" -ne 0 ]; then
    ms_log "apt-get could not install $* (exit code $rc)"
  fi
  return "$rc"
}

# Installs memcached from Debian's packages when the binary is not on PATH; its service is left
# stopped and disabled. Idempotent: does nothing when memcached is already installed.
ms_ensure_memcached() {
  if command -v memcached >/dev/null 2>&1; then
    return 0
  fi
  ms_log "memcached not found"
  local rc=0
  ms_apt_install memcached || rc=$?
  # Whatever the policy did, make sure no service is left running or enabled.
  ms_disable_service memcached
  if [ "$rc" -ne 0 ] || ! command -v memcached >/dev/null 2>&1; then
    ms_log "could not install memcached"
    return 1
  fi
  ms_log "installed $(memcached -V 2>/dev/null || echo memcached)"
}

# Installs twemproxy (Debian package nutcracker, binary /usr/sbin/nutcracker) when missing, for
# TwemproxyTest; its service is left stopped and disabled: the test starts its own nutcracker with its
# own configuration on free loopback ports. Idempotent.
ms_ensure_nutcracker() {
  if [ -x /usr/sbin/nutcracker ]; then
    return 0
  fi
  ms_log "nutcracker (twemproxy) not found"
  local rc=0
  ms_apt_install nutcracker || rc=$?
  ms_disable_service nutcracker
  if [ "$rc" -ne 0 ] || [ ! -x /usr/sbin/nutcracker ]; then
    ms_log "could not install nutcracker"
    return 1
  fi
  ms_log "installed $(/usr/sbin/nutcracker --version 2>&1 | head -n 1)"
}

# Installs Cyrus SASL's tools (Debian package sasl2-bin: saslpasswd2) when missing, for SaslMemcachedTest,
# which makes its own sasldb for a memcached started with -S; the saslauthd service the package brings is
# left stopped and disabled (memcached reads the sasldb itself). Idempotent.
ms_ensure_sasl2_bin() {
  if [ -x /usr/sbin/saslpasswd2 ]; then
    return 0
  fi
  ms_log "saslpasswd2 (sasl2-bin) not found"
  local rc=0
  ms_apt_install sasl2-bin || rc=$?
  ms_disable_service saslauthd
  if [ "$rc" -ne 0 ] || [ ! -x /usr/sbin/saslpasswd2 ]; then
    ms_log "could not install sasl2-bin"
    return 1
  fi
  ms_log "installed sasl2-bin"
}

# The nginx binary (Debian installs it in /usr/sbin, which a non-root PATH may lack), or nothing.
ms_nginx_bin() {
  if command -v nginx >/dev/null 2>&1; then
    command -v nginx
  elif [ -x /usr/sbin/nginx ]; then
    echo /usr/sbin/nginx
  fi
}

# Installs nginx (the demo's load balancer) from Debian's packages when missing; its service is
# left stopped and disabled: the demo runs its own nginx with its own configuration.
ms_ensure_nginx() {
  if [ -n "$(ms_nginx_bin)" ]; then
    return 0
  fi
  ms_log "nginx not found"
  local rc=0
  ms_apt_install nginx || rc=$?
  ms_disable_service nginx
  if [ "$rc" -ne 0 ] || [ -z "$(ms_nginx_bin)" ]; then
    ms_log "could not install nginx"
    return 1
  fi
  ms_log "installed $("$(ms_nginx_bin)" -v 2>&1)"
}

# Installs headless Chromium and its WebDriver (Debian's chromium, chromium-driver) for the
# browser test when missing. No browser is ever downloaded from anywhere else.
ms_ensure_chromium() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    return 0
  fi
  ms_log "chromium or chromedriver not found"
  ms_apt_install chromium chromium-driver || return 1
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    ms_log "could not install chromium and chromium-driver"
    return 1
  fi
  ms_log "installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
}

# Installs PostgreSQL and MariaDB from Debian's packages when their server binaries are missing (the
# durable tier's tests run on both); their services are left stopped and disabled: the tests start
# their own servers from the binaries, in temporary directories on free loopback ports.
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
  local rc=0
  ms_apt_install "${missing[@]}" || rc=$?
  ms_disable_service postgresql
  ms_disable_service mariadb
  if [ "$rc" -ne 0 ]; then
    ms_log "could not install ${missing[*]}"
    return 1
  fi
  ms_log "installed ${missing[*]}"
}
