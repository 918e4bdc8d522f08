# need.sh: a test's prerequisites (sourced by common.sh; tests that do not use common.sh
# source it themselves).  A missing prerequisite makes the test skip: exit 77 with one
# line "skip: ..." that names what is missing and the Debian package that gives it.
# Under CI (CI=true) tests/run counts a "skip: missing ..." as a failure: CI runs everything.
#
#   need_cmd CMD PACKAGE     CMD is a command (or an executable path)
#   need_py MODULE PACKAGE   /usr/bin/python3 imports MODULE (Debian's modules import only there)
#   need_mariadb             a MariaDB server and client (tests/lib/mariadb.sh must be sourced)
#   need_file PATH WHAT      an input that lives beside the repository, e.g. ../shared/reference
#   skip_test REASON         any other reason, e.g. the machine forbids a namespace; never a
#                            failure, not even under CI

skip_test() {
	echo "skip: $*"
	exit 77
}

_need_pkg() {	# _need_pkg PACKAGE WHAT
	skip_test "missing package $1: $2 (apt-get install $1, or run scripts/deps)"
}

need_cmd() {
	command -v "$1" >/dev/null 2>&1 || _need_pkg "$2" "$1 not found"
}

need_py() {
	[ -x /usr/bin/python3 ] || _need_pkg python3 "/usr/bin/python3 not found"
	/usr/bin/python3 -c "import $1" 2>/dev/null || _need_pkg "$2" "python module $1 not found"
}

need_mariadb() {
	_mdb_bins 2>/dev/null || _need_pkg "mariadb-server mariadb-client" "the MariaDB server or client is not installed"
}

need_file() {
	[ -e "$1" ] || skip_test "missing file $1 ($2)"
}
