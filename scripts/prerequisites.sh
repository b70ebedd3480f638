#!/usr/bin/env bash
# Makes sure the system programs a target needs are there: installs the missing ones
# with apt-get when run as root (CI, a fresh machine), else says exactly what to install.
#   scripts/prerequisites.sh chromium redis postgresql nginx fonts
# Used by .ci/run (all of them), `make bench` and `make run-prod`.
set -euo pipefail

missing=()
for need in "$@"; do
  case "$need" in
    chromium) [ -x /usr/bin/chromium ] || missing+=(chromium) ;;
    redis) command -v redis-server >/dev/null || missing+=(redis-server) ;;
    nginx) { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; } || missing+=(nginx-light) ;;
    postgresql) { command -v pg_ctl >/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; } \
                  || missing+=(postgresql) ;;
    fonts) fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-noto-cjk fonts-noto-color-emoji) ;;
    make|curl|git) command -v "$need" >/dev/null || missing+=("$need") ;;
    *) echo "prerequisites.sh: unknown need '$need'" >&2; exit 2 ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing what is missing: ${missing[*]}"
  apt-get update && apt-get install -y "${missing[@]}"
else
  echo "error: missing system packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
