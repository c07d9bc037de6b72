# Shared helpers for the command-line tests (sourced, not run: the runner
# only runs tests/cli/*.sh).  Sets COYEU, SRCDIR, a scratch folder $T removed
# on exit, and a failure count that finish() turns into the exit status.

COYEU=${COYEU:-$(pwd)/build/coyeu}
SRCDIR=${SRCDIR:-$(pwd)}
T=$(mktemp -d "${TMPDIR:-/tmp}/coyeu-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
failures=0
checks=0

ok() { checks=$((checks + 1)); }
bad() {
	checks=$((checks + 1)); failures=$((failures + 1))
	echo "FAIL: $*"
}
finish() {
	echo "$(basename "$0" .sh): $((checks - failures)) of $checks checks passed"
	[ "$failures" -eq 0 ]
}

# Writes n random bytes to a file.
random_file() { head -c "$2" /dev/urandom >"$1"; }

file_size() { wc -c <"$1" | tr -d ' '; }

. "${SRCDIR:-.}/tests/cli/lib/flip.sh"

# same DESC A B: the two files hold the same bytes.
same() {
	if cmp -s "$2" "$3"; then
		ok
	else
		bad "$1: output differs from input"
		return 1
	fi
}

# run_st CMD…: runs a command with stderr in $T/stderr and stdout in
# $T/stdout; the exit status is left in $st.
run_st() {
	st=0
	"$@" >"$T/stdout" 2>"$T/stderr" || st=$?
}

# expect_status CODE DESC CMD…: the command exits with CODE.
expect_status() {
	want=$1; desc=$2; shift 2
	run_st "$@"
	if [ "$st" -eq "$want" ]; then
		ok
	else
		bad "$desc: exit $st, expected $want; stderr: $(head -c 300 "$T/stderr")"
		return 1
	fi
}

# stderr_has DESC REGEX: the last command's stderr matches (grep -E).
stderr_has() {
	if grep -Eq -- "$2" "$T/stderr"; then
		ok
	else
		bad "$1: stderr lacks /$2/: $(head -c 300 "$T/stderr")"
	fi
}

# keygen_file_check KEY PUBLIC SECRET: after `coyeu keygen -o KEY`, the
# public key is on stderr and KEY is 0600 in age-keygen's three-line format;
# PUBLIC and SECRET are extended regexes for the two keys.
keygen_file_check() {
	stderr_has "keygen prints the public key" "^Public key: $2\$"
	mode=$(stat -c %a "$1" 2>/dev/null)
	[ "$mode" = 600 ] && ok || bad "keygen file mode is $mode, not 600"
	if grep -Eq '^# created: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(Z|[+-][0-9:]+)$' "$1" &&
	    grep -Eq "^# public key: $2\$" "$1" && grep -Eq "^$3\$" "$1" &&
	    [ "$(wc -l <"$1")" -eq 3 ]; then
		ok
	else
		bad "keygen file is not in age-keygen's format: $(head -c 300 "$1")"
	fi
}

# The recipient (age1…) of an identity file, by age-keygen -y.
recipient_of() { age-keygen -y "$1"; }

# tty_run PASSPHRASE CMD…: runs CMD on a pseudo-terminal and answers every
# passphrase prompt (age reads passphrases only from a terminal).  Input and
# output must be files given as arguments; the terminal's text is printed
# on failure.
tty_run() {
	python3 - "$@" <<'EOF'
import os, pty, sys
password = sys.argv[1].encode() + b"\n"
pid, fd = pty.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
seen = b""
answered = 0
while True:
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    seen += data
    pending = seen[answered:]
    if b"passphrase" in pending.lower() and pending.rstrip().endswith(b":"):
        os.write(fd, password)
        answered = len(seen)
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
if code != 0:
    sys.stderr.write(seen.decode(errors="replace"))
sys.exit(code)
EOF
}
