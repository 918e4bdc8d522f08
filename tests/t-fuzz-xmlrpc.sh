#!/bin/bash
# t-fuzz-xmlrpc.sh: build the XML-RPC fuzzer (decoder and typed readers) and run it for
# ~12 s (about 25 s with the build); skip without clang/libFuzzer.
set -u

: "${TOP_SRCDIR:?}" "${TEST_TMP:?}"
FUZZ_SECONDS=${FUZZ_SECONDS:-12} FUZZ_BUILD="$TEST_TMP/fuzz" \
	"$TOP_SRCDIR/tests/fuzz/run.sh" >"$TEST_TMP/fuzz.out" 2>&1
rc=$?
case $rc in
0)
	echo "ok - fuzz_xmlrpc: no crash in ${FUZZ_SECONDS:-12}s"
	exit 0 ;;
77)
	echo "skip: missing package: $(tail -n 1 "$TEST_TMP/fuzz.out")"
	exit 77 ;;
*)
	sed 's/^/# /' "$TEST_TMP/fuzz.out"
	echo "not ok - fuzz_xmlrpc: the fuzzer found a problem (exit $rc)"
	exit 1 ;;
esac
