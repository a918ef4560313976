#!/usr/bin/env bash
# The Debian package q11-syncserver as an operator meets it (packaging/, docs/deploy.md):
# `dpkg -i` with nothing fetched (its Depends are what scripts/install-deps installed), then
#   - the copyright file (machine-readable, Apache-2.0) and changelog.Debian.gz installed;
#   - the system user, the data folder (its user's only), the configuration (a conffile,
#     root's to write and the service's to read), the unit enabled, all as the postinst
#     leaves them, and `systemd-analyze verify` quiet about the installed unit;
#   - the server started as the unit starts it: its User=, Group=, Environment=, UMask= and
#     ExecStart= read from the installed unit, with no new privileges and no capabilities,
#     on the installed configuration (only --port=0 added: a free loopback port). It answers
#     /healthz, /readyz and /app/; a citizen registers with the q11 command line, files a
#     report with a photo (PNG, then a JPEG) and syncs; an official added with `syncserver user add` run as the
#     service's user (as docs/deploy.md says) syncs it and downloads the photo's thumbnail;
#     SIGTERM stops it cleanly; the files it made are its user's only;
#   - under strace (when installed), every system call it made is one the unit's
#     SystemCallFilter= allows (as systemd-analyze lists its groups), every socket of a
#     family RestrictAddressFamilies= allows, and no memory was made writable and
#     executable (MemoryDenyWriteExecute=);
#   - installed again over itself, the operator's edit of the configuration stays;
#   - `dpkg -r` keeps the configuration, `dpkg --purge` removes it, the binary, the unit and
#     its enablement link; the data folder with the database is kept (the postrm says why).
# When systemd runs (a CI machine booted with it), the postinst has started the service:
# the test sees it answer on the configured port, then stops it before its own run.
#
#   install_test.sh DEB Q11_BIN PHOTO
# Needs root (it installs a package): exits 77 (skipped) otherwise, and when the package is
# already installed (it would purge it), except under CI=... where both fail.
set -euo pipefail
deb=$1 q11=$2 photo=$3
pkg="q11-syncserver"
unit=/lib/systemd/system/q11-syncserver.service
config=/etc/q11-syncserver/syncserver.properties

skip_or_fail() {
  if [ -n "${CI:-}" ] && [ "${CI}" != false ]; then
    echo "FAIL: cannot be skipped in CI: $1" >&2
    exit 1
  fi
  echo "SKIP: $1"
  exit 77
}
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_eq() {  # WHAT GOT WANT
  [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

[ "$(id -u)" -eq 0 ] || skip_or_fail "installs a package: run as root (CI does)"
[ -f "$deb" ] || fail "no package $deb (the fixture test 'package: the .deb is built' makes it)"
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q installed; then
  skip_or_fail "$pkg is installed on this machine and the test would purge it"
fi
[ ! -e /var/lib/q11-syncserver ] ||
  skip_or_fail "/var/lib/q11-syncserver exists (data of an earlier installation?)"
user_existed=no
getent passwd q11-syncserver >/dev/null && user_existed=yes

tmp=$(mktemp -d)
chmod 0711 "$tmp"  # the service's user writes the trace into $tmp/run
server_pid=
cleanup() {
  local rc=$?
  # The start runs in a session of its own (setsid): strace and the server both go.
  if [ -n "$server_pid" ]; then kill -KILL -- "-$server_pid" 2>/dev/null || true; fi
  dpkg --purge "$pkg" >/dev/null 2>&1 || true
  rm -rf /var/lib/q11-syncserver "$tmp"
  if [ "$user_existed" = no ] && getent passwd q11-syncserver >/dev/null; then
    deluser --system q11-syncserver >/dev/null 2>&1 || userdel q11-syncserver || true
    if getent group q11-syncserver >/dev/null; then groupdel q11-syncserver || true; fi
  fi
  exit "$rc"
}
trap cleanup EXIT

started=$(date +%s.%N)
elapsed() { awk -v s="$started" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f s", n - s }'; }

# GET PATH from 127.0.0.1:PORT over HTTP/1.0 (the server closes after its answer); prints
# the status code, nothing when nothing answers.
http_status() {
  local answer
  answer=$(exec 3<>"/dev/tcp/127.0.0.1/$1" &&
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3 && head -c 200 <&3) 2>/dev/null || true
  awk 'NR == 1 { print $2 }' <<<"$answer"
}

# --- Install -----------------------------------------------------------------------------
DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" >"$tmp/dpkg-i.log" 2>&1 ||
  { cat "$tmp/dpkg-i.log" >&2; fail "dpkg -i $deb failed (missing Depends? run scripts/install-deps)"; }
echo "installed $(dpkg-query -W -f='${Package} ${Version}' "$pkg") ($(elapsed))"

IFS=: read -r _ _ uid gid _ home shell < <(getent passwd q11-syncserver) ||
  fail "the postinst made no user q11-syncserver"
[ "$uid" -lt 1000 ] || fail "q11-syncserver is not a system user (uid $uid)"
expect_eq "the user's group" "$(getent group "$gid" | cut -d: -f1)" q11-syncserver
expect_eq "the user's home" "$home" /var/lib/q11-syncserver
expect_eq "the user's shell" "$shell" /usr/sbin/nologin
expect_eq "the data folder" "$(stat -c '%U:%G %a' /var/lib/q11-syncserver)" "q11-syncserver:q11-syncserver 700"
expect_eq "the configuration" "$(stat -c '%U:%G %a' "$config")" "root:q11-syncserver 640"
dpkg-query -W -f='${Conffiles}\n' "$pkg" | grep -q " $config " ||
  fail "$config is not a conffile of $pkg"
[ -x /usr/bin/syncserver ] || fail "no /usr/bin/syncserver"
# Debian policy 12.5 and 12.7: the copyright file, machine-readable (DEP-5), naming the
# license the system keeps, and the Debian changelog of this very version.
doc=/usr/share/doc/$pkg
[ -f "$doc/copyright" ] || fail "no $doc/copyright"
[ "$(head -1 "$doc/copyright")" = \
  "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" ] ||
  fail "$doc/copyright is not in the machine-readable format"
grep -qx 'License: Apache-2.0' "$doc/copyright" || fail "$doc/copyright names no Apache-2.0"
grep -q '/usr/share/common-licenses/Apache-2.0' "$doc/copyright" ||
  fail "$doc/copyright does not point to /usr/share/common-licenses/Apache-2.0"
[ -f /usr/share/common-licenses/Apache-2.0 ] || fail "no /usr/share/common-licenses/Apache-2.0"
version=$(dpkg-query -W -f='${Version}' "$pkg")
zcat "$doc/changelog.Debian.gz" | head -1 | grep -q "^$pkg ($version) " ||
  fail "$doc/changelog.Debian.gz does not start with version $version"
[ -L /etc/systemd/system/multi-user.target.wants/q11-syncserver.service ] ||
  fail "the postinst did not enable the unit (no multi-user.target.wants link)"
if command -v systemd-analyze >/dev/null; then
  out=$(systemd-analyze verify --man=no "$unit" 2>&1) || fail "systemd-analyze verify: $out"
  [ -z "$out" ] || fail "systemd-analyze verify complains about the installed unit: $out"
fi

# --- The service under systemd, when it runs ----------------------------------------------
conf_value() { sed -n "s/^[[:space:]]*syncserver\.$1[[:space:]]*=[[:space:]]*//p" "$config" | tail -1; }
data=$(conf_value data)
expect_eq "syncserver.data in $config" "$data" /var/lib/q11-syncserver
if [ -d /run/systemd/system ]; then
  conf_port=$(conf_value port)
  for _ in $(seq 100); do
    [ "$(http_status "$conf_port" /healthz)" = 200 ] && break
    sleep 0.1
  done
  if ! systemctl is-active --quiet q11-syncserver ||
     [ "$(http_status "$conf_port" /healthz)" != 200 ]; then
    journalctl -u q11-syncserver --no-pager -n 30 >&2 || true
    fail "the service systemd started does not answer GET /healthz on 127.0.0.1:$conf_port"
  fi
  echo "systemd runs q11-syncserver, answering on port $conf_port; stopped for the test's own run"
  systemctl stop q11-syncserver
fi

# --- The server started as the unit starts it ---------------------------------------------
unit_value() { sed -n "s/^$1=//p" "$unit"; }
run_user=$(unit_value User) run_group=$(unit_value Group) umask_value=$(unit_value UMask)
exec_start=$(unit_value ExecStart)
expect_eq "the unit's User=" "$run_user" q11-syncserver
expect_eq "the unit's Group=" "$run_group" q11-syncserver
case "$exec_start" in *[\"\'\$\\]*) fail "ExecStart= has quoting this test cannot read: $exec_start" ;; esac
read -r -a exec_argv <<<"$exec_start"
environment=()
while read -r assignment; do
  [ -n "$assignment" ] && environment+=("$assignment")
done < <(unit_value Environment | tr ' ' '\n')
strace_argv=()
trace=$tmp/run/trace
install -d -o "$run_user" -g "$run_group" -m 0700 "$tmp/run"
if ! command -v strace >/dev/null; then
  no_strace="strace is not installed: the system call check is skipped"
elif ! strace -f -qq -o /dev/null true 2>/dev/null; then
  # A container whose own seccomp profile refuses ptrace: nothing to install can help.
  no_strace_here="strace cannot trace here (ptrace refused): the system call check is skipped"
else
  strace_argv=(strace -f -qq -o "$trace")
fi
rm -f "$data/syncserver.port"
# The umask as the unit sets it, in a shell that then becomes the server (or strace).
# shellcheck disable=SC2016
setsid setpriv --reuid="$run_user" --regid="$run_group" --init-groups --no-new-privs \
  --inh-caps=-all --bounding-set=-all \
  env -i PATH=/usr/bin:/bin HOME="$home" "${environment[@]}" \
  bash -c 'umask "$0"; exec "$@"' "${umask_value:-0022}" \
  "${strace_argv[@]}" "${exec_argv[@]}" --port=0 >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 200); do
  [ -s "$data/syncserver.port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log" >&2; fail "the server exited at start"; }
  sleep 0.1
done
port=$(cat "$data/syncserver.port" 2>/dev/null) || { cat "$tmp/server.log" >&2; fail "no $data/syncserver.port within 20 s"; }
echo "the server listens on 127.0.0.1:$port ($(elapsed))"

for path in /healthz /readyz; do
  for _ in $(seq 100); do
    [ "$(http_status "$port" "$path")" = 200 ] && break
    sleep 0.1
  done
  expect_eq "GET $path" "$(http_status "$port" "$path")" 200
done
expect_eq "GET /app/ (the web app compiled into the binary)" "$(http_status "$port" /app/)" 200

server_url=http://127.0.0.1:$port
citizen=(timeout 60 "$q11" --db="$tmp/citizen.db")
official=(timeout 60 "$q11" --db="$tmp/official.db")
"${citizen[@]}" register --server="$server_url" --name=lan --password=mat-khau-lan-2026 >/dev/null ||
  fail "q11 register failed (server log: $(tail -5 "$tmp/server.log"))"
"${citizen[@]}" report new --category=ngap-nuoc --ward=p04 --title="Ngập nước đường Lạc Long Quân" \
  --description="Nước ngập sau mưa" --photo="$photo" >/dev/null 2>&1 || fail "q11 report new failed"
out=$("${citizen[@]}" sync) || fail "the citizen's sync failed: $out"
grep -q "applied 2" <<<"$out" || fail "the citizen's sync did not apply the report: $out"
grep -q "photos: sent 1" <<<"$out" || fail "the citizen's sync did not send the photo: $out"
# The phone was built with the 2018 wards (p04); the packaged server runs the 2025 ones, where
# Phường 4 is part of Phường Hòa Bình: the report lands there (docs/units.md).
runuser -u "$run_user" -- /usr/bin/syncserver user add --data="$data" --name=can-bo-p04 \
  --password=mat-khau-can-bo-2026 --role=official --unit=hoa-binh >/dev/null ||
  fail "syncserver user add as $run_user failed"
"${official[@]}" login --server="$server_url" --name=can-bo-p04 --password=mat-khau-can-bo-2026 >/dev/null ||
  fail "the official's login failed"
"${official[@]}" sync >/dev/null || fail "the official's sync failed"
"${official[@]}" report list --json | grep -q '"title":"Ngập nước đường Lạc Long Quân"' ||
  fail "the official does not see the citizen's report"
report_id=$("${official[@]}" report list --json | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
photo_id=$("${official[@]}" photo list "$report_id" | awk 'NR == 1 { print $1 }')
"${official[@]}" photo get "$photo_id" --out="$tmp/thumb.jpg" --thumb >/dev/null ||
  fail "the official could not download the photo's thumbnail"
expect_eq "the thumbnail's first bytes (JPEG)" "$(head -c 2 "$tmp/thumb.jpg" | od -An -tx1 | tr -d ' ')" ffd8
# Phones mostly send JPEG: the thumbnail goes back as a second photo (libvips' JPEG decoder).
"${citizen[@]}" photo add "$report_id" "$tmp/thumb.jpg" >/dev/null 2>&1 || fail "q11 photo add failed"
out=$("${citizen[@]}" sync) || fail "the citizen's second sync failed: $out"
grep -q "photos: sent 1" <<<"$out" || fail "the citizen's second sync did not send the JPEG: $out"
echo "a citizen's report with a photo reached an official through the installed server ($(elapsed))"

server=$(pgrep -s "$server_pid" -x syncserver) || fail "no syncserver process in the session started"
kill -TERM "$server"
status=0
wait "$server_pid" || status=$?
server_pid=
expect_eq "the server's exit status after SIGTERM" "$status" 0
grep -q "syncserver: stopping" "$tmp/server.log" || fail "the server did not stop cleanly: $(tail -5 "$tmp/server.log")"
others=$(find "$data" \( ! -user "$run_user" -o -perm /077 \) ! -path "$data" -printf '%M %u %p\n')
[ -z "$others" ] || fail "files in $data that are not the service user's only: $others"

# --- What the unit's sandbox allows, against what the server did ---------------------------
if [ -n "${no_strace:-}" ]; then
  if [ -n "${CI:-}" ] && [ "${CI}" != false ]; then fail "$no_strace (run scripts/install-deps)"; fi
  echo "note: $no_strace"
elif [ -n "${no_strace_here:-}" ]; then
  echo "note: $no_strace_here"
else
  # A group of `systemd-analyze syscall-filter`'s listing, its nested groups expanded.
  syscall_group() {
    systemd-analyze syscall-filter 2>/dev/null | awk -v WANT="$1" '
      /^@/ { g = $1; next }
      /^ +#/ || NF == 0 { next }
      { members[g] = members[g] " " $1 }
      function expand(name,   n, parts, i) {
        if (name in seen) return
        seen[name] = 1
        if (substr(name, 1, 1) != "@") { print name; return }
        n = split(members[name], parts, " ")
        for (i = 1; i <= n; i++) expand(parts[i])
      }
      END { expand(WANT) }' | sort -u
  }
  : >"$tmp/allowed"
  # Each SystemCallFilter= line adds its names, or with "~" first removes them.
  while read -r line; do
    : >"$tmp/listed"
    for name in ${line#"~"}; do syscall_group "$name" >>"$tmp/listed"; done
    sort -u -o "$tmp/listed" "$tmp/listed"
    case "$line" in
      "~"*) comm -23 "$tmp/allowed" "$tmp/listed" >"$tmp/allowed.new" ;;
      *) sort -u "$tmp/allowed" "$tmp/listed" >"$tmp/allowed.new" ;;
    esac
    mv "$tmp/allowed.new" "$tmp/allowed"
  done < <(unit_value SystemCallFilter)
  [ "$(wc -l <"$tmp/allowed")" -gt 100 ] || fail "could not read the unit's SystemCallFilter= groups"
  sed -E 's/^[0-9]+ +//; s/^<\.\.\. ([a-z0-9_]+) resumed>.*/\1/; s/\(.*//' "$trace" |
    grep -E '^[a-z0-9_]+$' | sort -u >"$tmp/used"
  [ "$(wc -l <"$tmp/used")" -gt 20 ] || fail "strace recorded almost nothing: $(head -5 "$trace")"
  outside=$(comm -23 "$tmp/used" "$tmp/allowed" | tr '\n' ' ')
  [ -z "$outside" ] || fail "system calls the unit's SystemCallFilter= forbids: $outside"
  families=$(grep -oE '(^|[ (])socket\((AF_[A-Z0-9]+)' "$trace" | grep -oE 'AF_[A-Z0-9]+' | sort -u | tr '\n' ' ')
  allowed_families=" $(unit_value RestrictAddressFamilies) "
  for family in $families; do
    [[ "$allowed_families" == *" $family "* ]] ||
      fail "a socket of family $family, which RestrictAddressFamilies= forbids"
  done
  if grep -E '(mmap|mprotect|pkey_mprotect)\(.*PROT_EXEC' "$trace" | grep -E 'PROT_WRITE|mprotect' | grep -q .; then
    fail "memory made writable and executable, or made executable later (MemoryDenyWriteExecute=): $(grep -E '(mmap|mprotect)\(.*PROT_EXEC' "$trace" | grep -E 'PROT_WRITE|mprotect' | head -3)"
  fi
  echo "strace: $(wc -l <"$tmp/used") distinct system calls, all allowed; socket families: $families"
fi

# --- Installed again over itself (an upgrade's path through the maintainer scripts) -------
echo "# the operator's edit" >>"$config"
DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" >"$tmp/dpkg-i2.log" 2>&1 ||
  { cat "$tmp/dpkg-i2.log" >&2; fail "installing the package again failed"; }
grep -q "^# the operator's edit" "$config" || fail "installing again lost the operator's edit of $config"
expect_eq "the configuration after installing again" "$(stat -c '%U:%G %a' "$config")" "root:q11-syncserver 640"
expect_eq "the user's uid after installing again" "$(id -u q11-syncserver)" "$uid"
[ -f "$data/syncserver.db" ] || fail "installing again lost the database"

# --- Remove, then purge ---------------------------------------------------------------------
dpkg -r "$pkg" >"$tmp/dpkg-r.log" 2>&1 || { cat "$tmp/dpkg-r.log" >&2; fail "dpkg -r failed"; }
[ ! -e /usr/bin/syncserver ] || fail "dpkg -r left /usr/bin/syncserver"
[ -f "$config" ] || fail "dpkg -r removed the configuration (a conffile stays until purge)"
dpkg --purge "$pkg" >"$tmp/dpkg-purge.log" 2>&1 || { cat "$tmp/dpkg-purge.log" >&2; fail "dpkg --purge failed"; }
! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q installed || fail "$pkg is still installed"
for gone in /usr/bin/syncserver "$unit" /etc/q11-syncserver \
            /etc/systemd/system/multi-user.target.wants/q11-syncserver.service; do
  if [ -e "$gone" ] || [ -L "$gone" ]; then fail "dpkg --purge left $gone"; fi
done
[ -f "$data/syncserver.db" ] || fail "dpkg --purge deleted the database (it must stay)"
grep -q "is kept" "$tmp/dpkg-purge.log" || fail "the purge did not say that the data stays"
echo "removed and purged; the data folder stays, as documented ($(elapsed))"
