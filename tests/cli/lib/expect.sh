# Shared by the command-line tests that count failures (sourced): a scratch
# folder $T removed on exit, ok/bad, and expect CODE TEXT DESC CMD….
set -u
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
. "${SRCDIR:-.}/tests/cli/lib/flip.sh"

ok() { printf 'ok   %s\n' "$1"; }
bad() { printf 'FAIL %s\n' "$1"; fails=$((fails + 1)); }

# expect CODE TEXT DESCRIPTION COMMAND...: the exit status is CODE and, when
# TEXT is not empty, stdout or stderr holds TEXT.
expect() {
	code=$1 text=$2 desc=$3
	shift 3
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -ne "$code" ]; then
		bad "$desc (exit $rc, wanted $code)"
		cat "$T/out" "$T/err"
	elif [ -n "$text" ] && ! grep -qF -- "$text" "$T/out" "$T/err"; then
		bad "$desc (no '$text' in the output)"
		cat "$T/out" "$T/err"
	else
		ok "$desc"
	fi
}

C=$COYEU
C=$COYEU
