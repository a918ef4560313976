#!/usr/bin/env bash
# The Debian package passes lintian (Debian's package checker, packaging/): no error and no
# warning, with the overrides the package carries (usr/share/lintian/overrides, each with
# its reason). Lintian's informational notes are printed, not judged.
#
#   lintian_test.sh DEB
# Exits 77 (skipped) when lintian is not installed, except under CI=... where that fails.
set -euo pipefail
deb=$1
if ! command -v lintian >/dev/null; then
  if [ -n "${CI:-}" ]; then echo "FAIL: lintian is not installed (scripts/install-deps)" >&2; exit 1; fi
  echo "SKIP: lintian is not installed" >&2
  exit 77
fi
[ -f "$deb" ] || { echo "FAIL: no package $deb" >&2; exit 1; }
# Root is what CI runs the package tests as; lintian only reads the file.
out=$(lintian --allow-root --info --display-info --fail-on error,warning "$deb" 2>&1) && rc=0 || rc=$?
echo "$out"
if [ "$rc" -ne 0 ]; then
  echo "FAIL: lintian reports errors or warnings about $deb (exit $rc)" >&2
  exit 1
fi
if echo "$out" | grep -q '^[EW]: '; then
  echo "FAIL: lintian reports errors or warnings about $deb" >&2
  exit 1
fi
