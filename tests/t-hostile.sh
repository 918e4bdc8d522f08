#!/usr/bin/env bash
# The adversarial suite (tests/hostile/, issue 8): every case must be handled.
for p in /usr/bin/python3:python3 openssl:openssl timeout:coreutils mkfifo:coreutils; do
	command -v "${p%%:*}" >/dev/null 2>&1 || { echo "skip: ${p%%:*} not found (Debian package ${p#*:})"; exit 77; }
done
exec bash "$TOP_SRCDIR/tests/hostile/run"
