#!/usr/bin/env bash
# Free text in and out (issue 8.10): what the command line may put into the journal,
# how text from the database reaches stderr, and what -q and -v together mean.
. "$TOP_SRCDIR/tests/lib/common.sh"
cs_setup 2.2
jcount() { sql "SELECT COUNT(*) FROM operation" "$JOURNAL"; }

# --reason: invalid UTF-8 (a surrogate, an overlong '/'), 4-byte characters, control
# characters and direction overrides are refused before anything is read or written.
before=$(cs_digest) ops=$(jcount)
bad_reason() {	# bad_reason DESC TEXT MESSAGE
	expect_exit 2 "--reason with $1" host disable xs-01 --reason "$2" --execute
	expect_err "^csmaint: --reason $3" "$1: says what is wrong"
}
bad_reason "a UTF-16 surrogate" $'patch \xed\xa0\x80 now' "is not valid UTF-8 \(byte 7: 0xed\)"
bad_reason "an overlong slash" $'a\xc0\xafb' "is not valid UTF-8 \(byte 2: 0xc0\)"
bad_reason "a Latin-1 byte" $'J\xf6rg' "is not valid UTF-8"
bad_reason "a right-to-left override" $'ticket \xe2\x80\xae1234' "contains a bidirectional control character \(U\+202E\) at character 8"
bad_reason "a left-to-right embedding" $'\xe2\x80\xaax' "contains a bidirectional control character \(U\+202A\)"
bad_reason "a first-strong isolate" $'x\xe2\x81\xa8y' "contains a bidirectional control character \(U\+2068\)"
bad_reason "a pop directional isolate" $'x\xe2\x81\xa9' "contains a bidirectional control character \(U\+2069\)"
bad_reason "an escape sequence" $'\e[31mred' "contains a control character \(0x1b\) at character 1"
bad_reason "a newline" $'one\ntwo' "contains a control character \(0x0a\)"
bad_reason "an emoji (MySQL utf8 stores 3 bytes)" $'ok \xf0\x9f\x98\x80' "contains U\+1F600"
bad_reason "1001 characters" "$(printf 'x%.0s' $(seq 1001))" "is longer than 1000 characters"
expect_exit 2 "the dry run refuses the same" host disable xs-01 --reason $'\xc0\xaf'
expect_eq "xs-01 still Enabled" Enabled "$(alloc_of 1)"
expect_eq "no operation journaled" "$ops" "$(jcount)"
expect_eq "CloudStack tables unchanged" "$before" "$(cs_digest)"

# HOST follows the same rules (it goes into the journal's arguments too).
expect_exit 2 "HOST that is not UTF-8" host show $'xs-\xc0\xaf'
expect_err "HOST is not valid UTF-8 .*give the host id instead" "says so, and what to do"
expect_exit 2 "HOST with a direction override" host disable $'xs-01\xe2\x80\xae' --execute
expect_err "HOST contains a bidirectional control character" "says so"
expect_eq "no operation journaled" "$ops" "$(jcount)"

# What is allowed is stored as given, and journal list -o json stays valid UTF-8.
reason='ticket #42: Jörg’s hotfix, ☃ (עברית is fine, only overrides are not)'
expect_exit 0 "a printable UTF-8 reason" host disable xs-01 --reason "$reason" --execute
expect_exit 0 "journal list -o json" journal list -o json
check "the reason round-trips through valid JSON" /usr/bin/python3 -c '
import json, sys
raw = open(sys.argv[1], "rb").read()
d = json.loads(raw.decode("utf-8"))
assert d["operations"][0]["reason"] == sys.argv[2], d["operations"][0]
' "$OUT" "$reason"
expect_exit 0 "host enable xs-01 --execute" host enable xs-01 --execute

# Text from the database reaches stderr escaped: an ESC, a BEL or a newline in a host
# name can neither drive the operator's terminal nor forge a message line.
sql "UPDATE host SET name = CONCAT('xs', CHAR(27), '[2J', CHAR(7), CHAR(10), 'csmaint: all good') WHERE id = 5"
expect_exit 0 "disable a host with control characters in its name" host disable 5 --execute
check "no ESC, BEL or CR on stderr" sh -c '! LC_ALL=C grep -q "$(printf "[\033\007\r]")" "$1"' sh "$ERR"
expect_err "host 5 \(xs\\\\x1b\[2J\\\\x07\\\\x0acsmaint: all good\)" "shown as visible escapes"
check "no forged line: every stderr line is one csmaint message" sh -c '! grep -qv "^csmaint: " "$1"' sh "$ERR"
check "each message ends in a newline" sh -c 'test "$(tail -c 1 "$1" | od -An -c | tr -d " ")" = "\\n"' sh "$ERR"
expect_exit 4 "disable it again: refused, naming the host" host disable 5 --execute
expect_err "^csmaint: cannot disable host 5 \(xs\\\\x1b\[2J\\\\x07\\\\x0acsmaint: all good\)" "the error escapes it too"
check "one line for one error" test "$(wc -l <"$ERR")" -eq 1
expect_exit 0 "host enable 5 --execute" host enable 5 --execute
# A dry run is a plan someone may pipe into mysql: the name stays inside its comment.
expect_exit 0 "dry run on that host" host disable 5
expect_out "^-- host 5 \(xs\\\\x1b\[2J\\\\x07\\\\x0acsmaint: all good\): allocation_state 'Enabled' -> 'Disabled'" "the name is escaped in the plan"
check "the comment is not cut: no line goes on with what followed the newline" sh -c '! grep -q "^csmaint: all good)" "$1"' sh "$OUT"
check "no ESC or BEL in the plan's comment lines" sh -c '! grep "^--" "$1" | LC_ALL=C grep -q "$(printf "[\033\007]")"' sh "$OUT"
# The listing escapes as before; JSON carries the exact name.
expect_exit 0 "host show 5 -o json" host show 5 -o json
check "JSON has the exact name" /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["hosts"][0]["name"] == "xs\x1b[2J\x07\ncsmaint: all good", d["hosts"][0]["name"]
' "$OUT"

# -q and -v: the last one wins.  -qv is verbose (debug lines and progress), -vq quiet.
expect_exit 0 "-qv host disable" -qv host disable xs-01 --execute
expect_err "^csmaint: debug: host row locked for" "-qv: debug lines"
expect_err "^csmaint: host 1 \(xs-01\): allocation_state 'Enabled' -> 'Disabled'" "-qv: progress"
expect_exit 0 "-vq host enable" -vq host enable xs-01 --execute
check "-vq: nothing on stderr" test ! -s "$ERR"
expect_exit 0 "-vv host show 1" -vv host show 1
expect_err "^csmaint: debug: [0-9.]+ ms: SELECT" "-vv: every SQL statement"
finish
