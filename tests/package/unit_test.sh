#!/usr/bin/env bash
# The systemd unit of the Debian package (packaging/q11-syncserver.service), as systemd
# itself reads it: `systemd-analyze verify` says nothing about it (an unknown key, a bad
# value or a missing ExecStart binary would each print a line), and `systemd-analyze
# security` rates its exposure at most MAX (a hardening line dropped raises it).
# verify needs ExecStart's binary to exist: it reads a copy of the unit that runs the
# syncserver of this build.
#   unit_test.sh UNIT SYNCSERVER_BIN
# Exits 77 (skipped) without systemd-analyze, except under CI=... where that fails.
set -euo pipefail
unit=$1 bin=$2
max_exposure=1.5

skip_or_fail() {
  if [ -n "${CI:-}" ] && [ "${CI}" != false ]; then
    echo "FAIL: cannot be skipped in CI: $1" >&2
    exit 1
  fi
  echo "SKIP: $1 (run scripts/install-deps)"
  exit 77
}
command -v systemd-analyze >/dev/null ||
  skip_or_fail "systemd-analyze is not installed (Debian package systemd)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
copy=$tmp/q11-syncserver.service
sed -e "s|^ExecStart=/usr/bin/syncserver |ExecStart=$bin |" "$unit" >"$copy"
grep -q "^ExecStart=$bin " "$copy" || { echo "FAIL: no ExecStart=/usr/bin/syncserver in $unit" >&2; exit 1; }

out=$(cd "$tmp" && systemd-analyze verify --man=no ./q11-syncserver.service 2>&1) || {
  echo "FAIL: systemd-analyze verify failed:" >&2; echo "$out" >&2; exit 1; }
if [ -n "$out" ]; then
  echo "FAIL: systemd-analyze verify complains about the unit:" >&2
  echo "$out" >&2
  exit 1
fi
echo "systemd-analyze verify: no complaint"

report=$(cd "$tmp" && systemd-analyze security --offline=yes ./q11-syncserver.service 2>&1) || true
level=$(sed -n 's/.*Overall exposure level for q11-syncserver.service: \([0-9.]*\).*/\1/p' <<<"$report")
if [ -z "$level" ]; then
  echo "FAIL: no exposure level in systemd-analyze security's report:" >&2
  echo "$report" >&2
  exit 1
fi
echo "systemd-analyze security: exposure $level (at most $max_exposure)"
if awk -v l="$level" -v m="$max_exposure" 'BEGIN { exit !(l > m) }'; then
  echo "FAIL: exposure $level is above $max_exposure; what it counts against the unit:" >&2
  grep '✗' <<<"$report" >&2 || true
  exit 1
fi
