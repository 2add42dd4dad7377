#!/usr/bin/env bash
# The seed's command: writes the Ansible inventory /etc/ansible/hosts/<clustername>_L1 (group
# [<clustername>_L1]) of the cluster kubectl addresses. A thin wrapper of
# `kos-test cluster inventory`; ANSIBLE_HOSTS_DIR changes the directory.
#   ops/make-l1-inventory.sh $clustername
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 clustername" >&2
  exit 1
fi
exec "$(dirname "$0")/../bin/kos-test.js" cluster inventory "$1" --dir "${ANSIBLE_HOSTS_DIR:-/etc/ansible/hosts}"
