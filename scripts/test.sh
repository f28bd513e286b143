#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh

# Tools only the tests drive (cp -a and git are in Debian's base; these may not be).
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
missing=()
command -v rsync >/dev/null 2>&1 || missing+=(rsync)
command -v mkfs.ext4 >/dev/null 2>&1 || missing+=(e2fsprogs)
command -v script >/dev/null 2>&1 || missing+=(bsdutils)
# OpenStack Swift with its S3 API and the memcached it needs: the object store tests start their own on 127.0.0.1.
[ -x /usr/bin/swift-proxy-server ] || missing+=(swift swift-proxy swift-object swift-container swift-account)
[ -x /usr/bin/memcached ] || missing+=(memcached)
# CPython's own tests of files and directories, run on the plain disk and on a mount (test/mount/pythonSuite.test.ts).
[ -x /usr/bin/python3 ] || missing+=(python3)
python_version=$( [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' || echo 3.11)
[ -f "/usr/lib/python$python_version/test/test_os.py" ] || missing+=("libpython$python_version-testsuite")
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages for the tests: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

node --test --test-concurrency=1 dist/test/
