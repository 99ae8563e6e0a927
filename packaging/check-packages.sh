#!/usr/bin/env bash
# Builds the packages (npm run package → pkg/) and checks the .deb as an
# installation would meet it: unpacked into a scratch root, every program
# answers --version from there, and `systemd-analyze verify` accepts the
# installed units. Run by .ci/run; test/packaging/packages.test.ts checks the
# same and more under npm test.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(node -p "require('./package.json').version")
npm run --silent package
deb=pkg/endit_${version}_all.deb
rpm=pkg/endit-${version}-1.noarch.rpm
ls -l "$deb" "$rpm"
dpkg-deb -f "$deb" Package Version Architecture Depends
rpm -qp --qf '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}: requires ' "$rpm"; rpm -qpR "$rpm" | grep -v '^rpmlib(' | paste -sd ' '

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
dpkg -x "$deb" "$scratch/root"
for program in endit endit-archiver endit-retriever endit-deleter endit-tapehints; do
  got=$("$scratch/root/usr/bin/$program" --version)
  [ "$got" = "$program $version" ] || { echo "check-packages: $program --version said '$got'" >&2; exit 1; }
  echo "$got (from the unpacked .deb)"
done

# The installed units, pointed at the unpacked programs (and at root where this
# machine has no dcache account), as systemd-analyze verify resolves ExecStart=.
units=$scratch/units
mkdir "$units"
user_sed=()
getent passwd dcache >/dev/null || user_sed+=(-e 's/^User=dcache$/User=root/')
getent group dcache >/dev/null || user_sed+=(-e 's/^Group=dcache$/Group=root/')
for unit in "$scratch"/root/usr/lib/systemd/system/*; do
  sed -e "s#^ExecStart=/usr/bin/#ExecStart=$scratch/root/usr/bin/#" "${user_sed[@]}" "$unit" > "$units/$(basename "$unit")"
done
cd "$units"
# verify exits 0 on many problems it prints: any line is one, except those about
# the system's own unit files (a path outside ours, e.g. network-online.target).
set +e
output=$(SYSTEMD_LOG_COLOR=0 systemd-analyze verify endit.target endit-archiver.service endit-retriever.service endit-deleter.service \
  endit@.target endit-archiver@.service endit-retriever@.service endit-deleter@.service \
  endit-tapehints.service endit-tapehints.timer endit-tapehints@.service endit-tapehints@.timer 2>&1)
status=$?
set -e
problems=$(printf '%s\n' "$output" | awk -v dir="$units/" 'NF && (!/^\/[^: ]+:[0-9]+: / || index($0, dir) == 1)')
if [ "$status" -ne 0 ] || [ -n "$problems" ]; then
  printf 'check-packages: systemd-analyze verify (exit %s):\n%s\n' "$status" "$output" >&2
  exit 1
fi
echo "systemd-analyze verify: the installed units are valid"
for unit in "$scratch"/root/usr/lib/systemd/system/*.service; do
  systemd-analyze security --offline=true --no-pager "$unit" | tail -n 1
done
