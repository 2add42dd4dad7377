#!/usr/bin/env bash
# The seed's command: labels the nodes of the cluster kubectl addresses kos-role/<purpose>=true
# by their names (and sets the Prometheus scrape annotations). A thin wrapper of
# `kos-test cluster label`; arguments are passed on (e.g. --dry-run, --profile scaletest).
#   ops/label-nodes.sh
set -euo pipefail
exec "$(dirname "$0")/../bin/kos-test.js" cluster label "$@"
