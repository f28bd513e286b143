#!/usr/bin/env bash
# Installs everything, creates the demo filesystem under ./demo (once), and mounts it at
# ./demo/mnt in the foreground: use it from another terminal; Ctrl-C unmounts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
[ -f demo/shmr.yaml ] || ./bin/run.js init --demo demo
exec ./bin/run.js mount -c demo/shmr.yaml
