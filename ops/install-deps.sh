#!/usr/bin/env bash
# Installs, from Debian's (or Ubuntu's) packages, what kos-test's main job runs: etcd and
# Prometheus. `--test` adds what the test suite needs too (ansible, Chromium, the data plane's
# ip, nsenter and ping, and kubectl when there is none). Installs only what is missing; as root it runs apt-get, otherwise it prints the
# one command to run as root and exits 1. Used by the README's first command and by .ci/run.
set -euo pipefail

with_tests=false
case "${1:-}" in
  '') ;;
  --test) with_tests=true ;;
  *)
    echo "usage: $0 [--test]   (--test: also what the test suite needs)" >&2
    exit 2
    ;;
esac

have() { command -v "$1" >/dev/null 2>&1; }
# KOS_TEST_ETCD / KOS_TEST_PROMETHEUS name binaries kos-test uses instead of PATH's.
have_or_override() { have "$1" || { [ -n "${2:-}" ] && [ -x "$2" ]; }; }

packages=()
have_or_override etcd "${KOS_TEST_ETCD:-}" || packages+=(etcd-server etcd-client)
{ have_or_override prometheus "${KOS_TEST_PROMETHEUS:-}" && { ! $with_tests || have promtool; }; } ||
  packages+=(prometheus)
# setpriv ties etcd and Prometheus to their parent (they die with it, even on SIGKILL).
have setpriv || packages+=(util-linux)
if $with_tests; then
  # Debian's kubernetes-client conflicts with a kubectl installed otherwise: only when none.
  have kubectl || packages+=(kubernetes-client)
  have ansible-playbook || packages+=(ansible)
  # The report tests open the HTML reports in Debian's Chromium (playwright-core never downloads one).
  [ -x /usr/bin/chromium ] || packages+=(chromium)
  # The testbed's data plane (ADR 0023): iproute2's ip, util-linux's nsenter, iputils' ping.
  have ip || packages+=(iproute2)
  have nsenter || packages+=(util-linux)
  have ping || packages+=(iputils-ping)
fi

[ ${#packages[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "kos-test needs ${packages[*]}; install them as root: sudo sh -c 'apt-get update && apt-get install -y ${packages[*]}'" >&2
  exit 1
fi
echo "installing ${packages[*]} from the distribution's packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${packages[@]}" >/dev/null
