#!/bin/sh
# Where outputs go and what they look like (issue 8, items 1-2 and the
# output modes): a pipe or device another user planted at the output name
# gets nothing; outputs follow the umask and are never more open than the
# input; an interrupted seal or open leaves nothing behind.
#
# Runs as any user; the "another user's object" cases need root (to chown
# to nobody) and say so when they cannot run.
. "${SRCDIR:-.}/tests/cli/lib/common.sh"

OTHER=65534 # nobody
"$COYEU" keygen -o "$T/id" 2>/dev/null || bad "coyeu keygen"
R=$(sed -n 's/^# public key: //p' "$T/id")
printf 'TỐI MẬT: the plan, in full\n' >"$T/plain"
"$COYEU" seal -r "$R" -o "$T/s.age" "$T/plain" || bad "seal"
mkdir "$T/shared" && chmod 1777 "$T/shared"

# as_other PATH: PATH now belongs to another user; 1 when that is not
# possible (not root).
as_other() { chown "$OTHER" "$1" 2>/dev/null; }

# fifo_attack DESC FIFO CMD…: a reader of FIFO (another user's) collects
# what CMD writes; CMD must fail, saying why, and the reader get nothing.
fifo_attack() {
	desc=$1 fifo=$2; shift 2
	cat "$fifo" >"$T/stolen" &
	reader=$!
	run_st timeout 20 "$@"
	# Release the reader if coyeu never opened the pipe.
	: 1<>"$fifo"
	wait "$reader"
	if [ "$st" -eq 1 ] && [ ! -s "$T/stolen" ]; then
		ok
	else
		bad "$desc: exit $st, the other user's reader got" \
		    "$(file_size "$T/stolen") bytes: $(head -c 100 "$T/stolen")"
	fi
	stderr_has "$desc: says why" "belongs to user $OTHER"
}

# --- 1. another user's pipe or device at the output name ---------------------
mkfifo -m 622 "$T/shared/qd123.txt"
if as_other "$T/shared/qd123.txt"; then
	fifo_attack "open -o another user's FIFO" "$T/shared/qd123.txt" \
	    "$COYEU" open -i "$T/id" -o "$T/shared/qd123.txt" "$T/s.age"
	fifo_attack "seal -o another user's FIFO" "$T/shared/qd123.txt" \
	    "$COYEU" seal -r "$R" -o "$T/shared/qd123.txt" "$T/plain"
	ln -s qd123.txt "$T/shared/link.txt"
	fifo_attack "open -o a symlink to another user's FIFO" \
	    "$T/shared/qd123.txt" \
	    "$COYEU" open -i "$T/id" -o "$T/shared/link.txt" "$T/s.age"
	# Without a reader: refused at once, no hang.
	run_st timeout 20 "$COYEU" open -i "$T/id" -o "$T/shared/qd123.txt" \
	    "$T/s.age"
	[ "$st" -eq 1 ] && ok ||
		bad "open -o another user's FIFO with no reader: exit $st"
else
	echo "note: not root: another user's FIFO not tried"
fi

# A device node of another user (the zero device, which swallows writes).
if mknod "$T/shared/dev" c 1 5 2>/dev/null && as_other "$T/shared/dev"; then
	run_st "$COYEU" open -i "$T/id" -o "$T/shared/dev" "$T/s.age"
	[ "$st" -eq 1 ] && ok || bad "open -o another user's device: exit $st"
	stderr_has "another user's device: says why" "belongs to user $OTHER"
else
	echo "note: cannot make a device node here: another user's device not tried"
fi

# A socket cannot be written as a file: refused with a message.
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
    "$T/shared/sock"
run_st "$COYEU" open -i "$T/id" -o "$T/shared/sock" "$T/s.age"
[ "$st" -eq 1 ] && ok || bad "open -o a socket: exit $st"
stderr_has "open -o a socket: says why" "socket"

# Still fine: /dev/null, the caller's own FIFO (with its reader), standard
# output by name.
expect_status 0 "open -o /dev/null" \
    "$COYEU" open -i "$T/id" -o /dev/null "$T/s.age"
expect_status 0 "seal -o /dev/null" \
    "$COYEU" seal -r "$R" -o /dev/null "$T/plain"
mkfifo -m 600 "$T/mine"
cat "$T/mine" >"$T/mine.out" &
reader=$!
expect_status 0 "open -o the caller's own FIFO" \
    "$COYEU" open -i "$T/id" -o "$T/mine" "$T/s.age"
wait "$reader"
same "open -o the caller's own FIFO" "$T/plain" "$T/mine.out"
# Nobody reading the caller's own FIFO: refused at once, saying what to do.
run_st timeout 20 "$COYEU" open -i "$T/id" -o "$T/mine" "$T/s.age"
[ "$st" -eq 1 ] && ok || bad "open -o a FIFO nobody reads: exit $st"
stderr_has "open -o a FIFO nobody reads: says why" "nobody is reading"
"$COYEU" open -i "$T/id" -o /dev/stdout "$T/s.age" | cat >"$T/stdout.out"
same "open -o /dev/stdout into a pipe" "$T/plain" "$T/stdout.out"

# --- 2. output modes ---------------------------------------------------------
# mode_of UMASK INPUT-MODE CMD…: the mode of $T/m.out after CMD -o $T/m.out
# on $T/m.in (INPUT-MODE) under UMASK.
mode_of() {
	um=$1 im=$2; shift 2
	rm -f "$T/m.out"
	cp "$T/plain" "$T/m.in" && chmod "$im" "$T/m.in"
	(umask "$um" && "$@" -o "$T/m.out" "$T/m.in") 2>"$T/stderr" ||
		echo "failed: $(cat "$T/stderr")"
	stat -c %a "$T/m.out"
}
expect_mode() {
	if [ "$1" = "$2" ]; then ok; else bad "$3: mode $1, expected $2"; fi
}
expect_mode "$(mode_of 077 644 "$COYEU" seal -r "$R")" 600 \
    "seal under umask 077"
expect_mode "$(mode_of 027 644 "$COYEU" seal -r "$R")" 640 \
    "seal under umask 027"
expect_mode "$(mode_of 022 644 "$COYEU" seal -r "$R")" 644 \
    "seal of a 0644 file under umask 022"
expect_mode "$(mode_of 022 600 "$COYEU" seal -r "$R")" 600 \
    "seal of a 0600 file under umask 022 (never more open than the input)"
expect_mode "$(mode_of 022 640 "$COYEU" seal -a -r "$R")" 640 \
    "seal -a of a 0640 file under umask 022"
"$COYEU" seal -r "$R" -o "$T/m.age" "$T/plain"
(umask 000 && "$COYEU" open -i "$T/id" -o "$T/m.plain" "$T/m.age") ||
	bad "open under umask 000"
expect_mode "$(stat -c %a "$T/m.plain")" 600 "plaintext under umask 000"

# --- 3. interrupted: nothing left behind ------------------------------------
# A big file (COYEU_OUTPUTS_MIB, default 2048; 256 with COYEU_QUICK) is
# sealed once, then each command is interrupted by each signal at a random
# moment after its temporary output appeared; afterwards neither the
# temporary file nor the output may exist, and the process must have died
# of that signal. The plaintext is sparse: it costs no disk.
MIB=${COYEU_OUTPUTS_MIB:-2048}
[ -n "${COYEU_QUICK:-}" ] && MIB=${COYEU_OUTPUTS_MIB:-256}
BIG=$(mktemp -d "${TMPDIR:-/var/tmp}/coyeu-outputs.XXXXXX")
trap 'rm -rf "$T" "$BIG"' EXIT
avail=$(df -Pk "$BIG" | awk 'NR == 2 { print int($4 / 1024) }')
if [ "$avail" -lt $((MIB * 3)) ]; then
	echo "note: $BIG has $avail MiB free, less than $((MIB * 3)): using $((avail / 4)) MiB"
	MIB=$((avail / 4))
fi
truncate -s "${MIB}M" "$BIG/big.txt"
# To standard output: no fsync of gigabytes.
"$COYEU" seal -r "$R" "$BIG/big.txt" >"$BIG/big.age" || bad "seal the big file"
mkdir "$BIG/out"
cat >"$T/interrupt.py" <<'PY'
import glob, os, random, signal, subprocess, sys, time

coyeu, ident, recipient, big = sys.argv[1:5]
out_dir = os.path.join(big, "out")
target = os.path.join(out_dir, "big.txt")
temps = os.path.join(out_dir, ".big.txt.*")
commands = {
    "open": [coyeu, "open", "-i", ident, "-o", target, os.path.join(big, "big.age")],
    "seal": [coyeu, "seal", "-r", recipient, "-o", target, os.path.join(big, "big.txt")],
}

def restore():
    # A background job of sh starts with SIGINT ignored: coyeu would keep
    # ignoring it, as it should.
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
        signal.signal(s, signal.SIG_DFL)

def leftovers():
    return glob.glob(temps) + glob.glob(target)

def interrupt(sig, cmd):
    """Starts cmd, waits for its temporary output, waits a random moment,
    sends sig; what went wrong, or None."""
    for attempt in range(5):
        p = subprocess.Popen(cmd, preexec_fn=restore, stderr=subprocess.DEVNULL)
        end = time.time() + 20
        while not glob.glob(temps) and p.poll() is None and time.time() < end:
            time.sleep(0.001)
        time.sleep(random.uniform(0, 1.0))
        had = [os.path.getsize(t) for t in glob.glob(temps)]
        if p.poll() is None and had:
            break
        p.kill(); p.wait()
        for f in leftovers():
            os.unlink(f)
    else:
        return "never caught running with its temporary file"
    p.send_signal(sig)
    p.wait()
    problems = []
    if p.returncode != -sig:
        problems.append("exit %d, not killed by the signal" % p.returncode)
    left = leftovers()
    if left:
        problems.append("left " + ", ".join(
            "%s (%d bytes)" % (f, os.path.getsize(f)) for f in left))
    for f in left:
        os.unlink(f)
    return "; ".join(problems) or None

for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGPIPE"):
    for verb, cmd in commands.items():
        problem = interrupt(getattr(signal, name), cmd)
        print("%s %s during coyeu %s%s" % ("bad" if problem else "ok", name,
              verb, ": " + problem if problem else ""))
PY
python3 "$T/interrupt.py" "$COYEU" "$T/id" "$R" "$BIG" >"$T/interrupts" ||
	bad "the interrupting script failed"
while read -r word rest; do
	case $word in
	ok) ok ;;
	*) bad "$rest" ;;
	esac
done <"$T/interrupts"
[ "$(grep -c '^ok' "$T/interrupts")" -eq 8 ] && ok ||
	bad "not every interruption was tried: $(cat "$T/interrupts")"
rm -rf "$BIG"

finish
