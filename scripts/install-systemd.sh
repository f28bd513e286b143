#!/usr/bin/env bash
# Installs the systemd unit shmr@.service (packaging/systemd) so that `systemctl enable --now
# shmr@NAME` mounts /etc/shmr/NAME.yaml at boot. Run as root after scripts/install.sh (which puts
# shmr at /usr/local/bin/shmr, where the unit runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "install-systemd.sh: run as root" >&2; exit 1; }
[ -x /usr/local/bin/shmr ] || { echo "install-systemd.sh: /usr/local/bin/shmr is missing: run scripts/install.sh first" >&2; exit 1; }
install -m 0644 packaging/systemd/shmr@.service /etc/systemd/system/shmr@.service
mkdir -p /etc/shmr
systemctl daemon-reload 2>/dev/null || echo "note: systemd is not running here; the unit is installed for the next boot" >&2
echo "installed /etc/systemd/system/shmr@.service: put a config at /etc/shmr/NAME.yaml, then systemctl enable --now shmr@NAME"
