#!/usr/bin/env bash
# Installs everything and creates the demo filesystem under ./demo (once).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
if [ -f demo/shmr.yaml ]; then
  echo "demo already exists in ./demo"
else
  ./bin/run.js init --demo demo
fi
