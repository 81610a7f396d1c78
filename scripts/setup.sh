#!/usr/bin/env bash
# Installs the system packages MoodBot needs on Debian/Ubuntu (idempotent).
#   bash scripts/setup.sh          runtime only (OpenCV's native library needs GTK 3)
#   bash scripts/setup.sh --test   also PostgreSQL, used by the storage tests
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
# libdrm2 and libatomic1 are needed by OpenCvSharpExtern but only recommended (not required) by GTK, so a
# --no-install-recommends system lacks them (seen on a minimal Debian 12).
# Ubuntu 24.04 renamed GTK for the 64-bit time_t transition (libgtk-3-0t64); the old name is only a virtual package
# there, which apt refuses to install by name. Debian 12 and Ubuntu 22.04 keep libgtk-3-0.
gtk=libgtk-3-0
if . /etc/os-release 2>/dev/null && [ "${ID:-}" = ubuntu ] && [ "${VERSION_ID%%.*}" -ge 24 ]; then gtk=libgtk-3-0t64; fi
packages=("$gtk" libdrm2 libatomic1 fonts-dejavu-core ca-certificates)
if [ "${1:-}" = "--test" ]; then packages+=(postgresql); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: system packages ready"
