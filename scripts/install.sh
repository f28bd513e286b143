#!/usr/bin/env bash
# Installs everything shmr needs on Debian: the FUSE packages (libfuse.so.2 for fuse-native's
# prebuilt addon, fusermount3, the attr tools the tests use), the npm packages, and the build.
# Idempotent: a second run only rebuilds.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "shmr needs Node.js 20 or newer (https://nodejs.org, or Debian's nodejs package)" >&2
  exit 1
fi

sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)

missing=()
# Debian 13 renamed libfuse2 to libfuse2t64; either provides libfuse.so.2.
if ! compgen -G '/usr/lib/*/libfuse.so.2' >/dev/null && ! compgen -G '/lib/*/libfuse.so.2' >/dev/null; then missing+=(libfuse2); fi
command -v fusermount3 >/dev/null 2>&1 || missing+=(fuse3)
command -v setfattr >/dev/null 2>&1 || missing+=(attr)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  if [[ " ${missing[*]} " == *" libfuse2 "* ]] && apt-cache show libfuse2t64 >/dev/null 2>&1; then
    missing=("${missing[@]/libfuse2/libfuse2t64}")
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm 11 does not run dependencies' install scripts; fuse-native, lmdb and @node-rs/crc32 load
# prebuilt binaries at run time, so none is needed. `npm install` rather than `npm ci`: npm 11's
# ci rejects this lock file over optional packages of other platforms (msgpackr-extract's).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund --loglevel=error
fi
# shmr's patched fuse-native (vendor/fuse-native/README.md) is built here, explicitly: npm 11 runs
# no install scripts. It compiles against the libfuse 2 headers fuse-shared-library ships.
addon=vendor/fuse-native/build/Release/fuse.node
if [ ! -f "$addon" ] || [ vendor/fuse-native/fuse-native.c -nt "$addon" ]; then
  npm run --silent build:native >/dev/null
fi
npm run --silent build
