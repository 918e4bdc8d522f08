#!/usr/bin/env bash
# The adversarial suite (tests/hostile/, issue 8): every case must be handled.  Its
# output ends with "hostile: N tried, N handled"; see tests/hostile/README.
skip() { echo "skip - $*"; exit 77; }
[ -x /usr/bin/python3 ] || skip "no /usr/bin/python3 (Debian package python3)"
/usr/bin/python3 -c 'import pymysql' 2>/dev/null ||
	skip "python3-pymysql not installed (Debian package python3-pymysql, for tests/mssim)"
command -v openssl >/dev/null || skip "no openssl (Debian package openssl)"
command -v mariadbd >/dev/null || command -v mysqld >/dev/null || [ -x /usr/sbin/mariadbd ] ||
	skip "no mariadbd (Debian package mariadb-server)"
for c in timeout mkfifo tail md5sum; do
	command -v "$c" >/dev/null || skip "no $c (Debian package coreutils)"
done
echo x | grep -qP 'x' 2>/dev/null || skip "grep without -P (Debian package grep)"
exec bash "$TOP_SRCDIR/tests/hostile/run"
