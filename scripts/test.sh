#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
node --test --test-concurrency=1 dist/test/
