#!/usr/bin/env bash
# Installs everything shmr needs on Debian: the FUSE packages (libfuse 3 and fusermount3, the
# libfuse 3 headers), Intel's ISA-L (CRC32C and erasure coding), a C compiler to build shmr's two
# addons, the attr tools the tests use, the npm packages, and the build.
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
command -v fusermount3 >/dev/null 2>&1 || missing+=(fuse3)
pkg-config --exists fuse3 2>/dev/null || missing+=(libfuse3-dev pkg-config)
pkg-config --exists libisal 2>/dev/null || missing+=(libisal-dev pkg-config)
command -v setfattr >/dev/null 2>&1 || missing+=(attr)
for tool in make g++ python3; do command -v $tool >/dev/null 2>&1 || missing+=(build-essential python3); done
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "installing Debian packages: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm 11 does not run dependencies' install scripts; lmdb loads prebuilt binaries at run time,
# and shmr's own addons are built below. `npm install` rather than `npm ci`: npm 11's ci rejects
# this lock file over optional packages of other platforms (msgpackr-extract's).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund --loglevel=error
fi
# shmr's two addons are built here, explicitly: npm 11 runs no install scripts. The FUSE addon
# (native/fuse: libfuse 3's low-level API) compiles against Debian's libfuse 3 headers; the
# blocks addon (native/blocks: shard I/O, CRC32C and erasure coding) against ISA-L's; both
# compile native/common in (checked reads of block files, CRC32C through ISA-L).
build_addon() { # SOURCE_DIR ADDON_FILE NPM_SCRIPT
  local addon="$1/build/Release/$2"
  if [ ! -f "$addon" ] || [ -n "$(find "$1" native/common -maxdepth 1 -newer "$addon" \( -name '*.[ch]' -o -name binding.gyp \))" ]; then
    npm run --silent "$3" >/dev/null
  fi
}
build_addon native/fuse fuse.node build:fuse
build_addon native/blocks blocks.node build:blocks
npm run --silent build

# Links to this checkout where users and mount(8) look: `shmr` on the PATH (/usr/local/bin as
# root, else ~/.local/bin, on Debian's PATH once it exists, from the next login), its man pages
# (/usr/local/share/man or ~/.local/share/man), and as root mount(8)'s helper for fuse.shmr
# (/sbin/mount.fuse.shmr). A link to another checkout that still works is left alone: a test run
# from a scratch clone must not take it over.
link_to() { # TARGET LINK
  local target="$PWD/$1" link=$2
  if [ -L "$link" ] && [ -e "$link" ] && [ "$(readlink -f "$link")" != "$(readlink -f "$target")" ]; then
    echo "note: $link belongs to another checkout ($(readlink -f "$link")); left as it is" >&2
  elif [ ! -e "$link" ] || [ -L "$link" ]; then
    mkdir -p "$(dirname "$link")"
    ln -sfn "$target" "$link"
  else
    echo "note: $link exists and is not a link to shmr; left as it is" >&2
  fi
}
prefix=/usr/local
[ "$(id -u)" -ne 0 ] && prefix="$HOME/.local"
link_to bin/run.js "$prefix/bin/shmr"
for page in man/*.[15]; do link_to "$page" "$prefix/share/man/man${page##*.}/$(basename "$page")"; done
[ "$(id -u)" -eq 0 ] && link_to packaging/mount.fuse.shmr /sbin/mount.fuse.shmr
