#!/bin/bash
# run.sh: build the XML-RPC fuzzer (decoder, and the readers of decoded replies) with clang
# and run it for a bounded time.
# Usage: tests/fuzz/run.sh   (env: FUZZ_SECONDS, default 30; FUZZ_BUILD, a build dir;
# CC, default clang).  Exits 0 when nothing crashed, 1 on a crash, 77 when clang or
# libFuzzer is missing.  New corpus entries go to the build dir, not to the repository.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
seconds=${FUZZ_SECONDS:-30}
cc=${CC:-clang}
case $cc in *clang*) ;; *) cc=clang ;; esac

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "run.sh: $cc not found (apt-get install clang)" >&2
	exit 77
fi
if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists libxml-2.0 libcurl libconfig
then
	echo "run.sh: libxml2, libcurl or libconfig development files not found" \
		"(apt-get install libxml2-dev libcurl4-openssl-dev libconfig-dev)" >&2
	exit 77
fi
pkgs="libxml-2.0 libcurl libconfig libmariadb"

build=${FUZZ_BUILD:-$(mktemp -d "${TMPDIR:-/tmp}/fuzz_xmlrpc.XXXXXX")}
mkdir -p "$build/corpus" "$build/artifacts" || exit 1

# libFuzzer comes with clang's runtime (Debian: libclang-rt-<N>-dev); probe for it.
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' \
	>"$build/probe.c"
if ! "$cc" -fsanitize=fuzzer "$build/probe.c" -o "$build/probe" 2>/dev/null; then
	echo "run.sh: $cc cannot link libFuzzer (apt-get install libclang-rt-dev)" >&2
	exit 77
fi

# The XML-RPC modules (value model, encoder, decoder), xapi.c (the XenAPI envelope and
# task polling) and the modules whose readers fuzz_typed.c drives over decoded replies
# (pool.c and patch.c reach http.c and conf.c only to connect, which the harness never
# does).  Compiled two at a time: the suite runs this under a time budget.
srcs="$here/fuzz_xmlrpc.c $here/fuzz_typed.c"
for m in xmlrpc-value xmlrpc-encode xmlrpc-decode xapi pool patch xshost target cloudstack \
	db guidance catalog plan http conf err util wait sbuf; do
	srcs="$srcs $top/src/$m.c"
done
san=fuzzer,address,undefined
cflags=(-g -O1 -fno-omit-frame-pointer "-fsanitize=$san"
	-fno-sanitize-recover=undefined -D_GNU_SOURCE '-DSYSCONFDIR="/etc"' "-I$top/src")
# shellcheck disable=SC2207,SC2086
cflags+=($(pkg-config --cflags $pkgs))
objs=
failed=0
jobs=0
for f in $srcs; do
	o="$build/$(basename "$f" .c).o"
	objs="$objs $o"
	"$cc" "${cflags[@]}" -c "$f" -o "$o" &
	jobs=$((jobs + 1))
	if [ $jobs -ge 2 ]; then
		wait -n || failed=1
		jobs=$((jobs - 1))
	fi
done
while [ $jobs -gt 0 ]; do
	wait -n || failed=1
	jobs=$((jobs - 1))
done
# shellcheck disable=SC2046,SC2086
if [ $failed -ne 0 ] || ! "$cc" "-fsanitize=$san" $objs \
	$(pkg-config --libs $pkgs) -lm -o "$build/fuzz_xmlrpc"; then
	echo "run.sh: build failed" >&2
	exit 1
fi

echo "run.sh: fuzzing for ${seconds}s in $build"
"$build/fuzz_xmlrpc" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 -dict="$here/xmlrpc.dict" \
	-artifact_prefix="$build/artifacts/" "$build/corpus" "$here/corpus" \
	>"$build/fuzz.log" 2>&1
rc=$?
tail -n 25 "$build/fuzz.log"
if [ $rc -ne 0 ] || ls "$build/artifacts"/crash-* "$build/artifacts"/leak-* \
	"$build/artifacts"/timeout-* >/dev/null 2>&1; then
	echo "run.sh: the fuzzer found a problem (exit $rc); see $build/fuzz.log and" \
		"$build/artifacts/" >&2
	exit 1
fi
echo "run.sh: no crash in ${seconds}s"
exit 0
