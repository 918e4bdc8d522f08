# bench/lib.sh: shared set-up for the benchmarks: build, a throwaway MariaDB with the
# sample CloudStack database, a csmaint config, and a median helper.  Source it.
set -eu
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export TOP_SRCDIR=$top
"$top/scripts/deps"
"$top/scripts/build" build >/dev/null
CSMAINT=${BENCH_CSMAINT:-$top/build/csmaint}	# BENCH_CSMAINT: measure another build
. "$top/tests/lib/mariadb.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/csmaint-bench.XXXXXX")
trap 'mdb_stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mdb_start "$work/db" >/dev/null
mdb_load_cloudstack 2.2 cloud
mdb_create_user csm bench-pw "ALL PRIVILEGES ON *.*" >/dev/null
printf 'bench-pw\n' >"$work/db.pass"
chmod 600 "$work/db.pass"
cat >"$work/csmaint.conf" <<CONF
database = { socket = "$MDB_SOCK"; user = "csm"; password_file = "db.pass";
  name = "cloud"; journal = "csmaint"; };
CONF
chmod 600 "$work/csmaint.conf"
export CSMAINT_CONF=$work/csmaint.conf
"$CSMAINT" schema install --execute 2>/dev/null
# The baseline client, with the same credentials over the same socket.
MYSQL=(mariadb --no-defaults -S "$MDB_SOCK" -u csm -pbench-pw)

now_ns() { date +%s%N; }
# median FILE: the median of the numbers in FILE, one a line.
median() { sort -g "$1" | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
