#!/bin/sh
# Passphrases typed at a terminal (driven through a pseudo-terminal by
# python3's pty module): no echo, a round trip, a mismatched confirmation,
# and Ctrl-C at the prompt, after which the terminal must echo again.
. "${SRCDIR:-.}/tests/cli/lib/common.sh"

printf 'on the record\n' >"$T/plain"
cat >"$T/typist.py" <<'PY'
import os, pty, sys, termios, time

def run(args, typed, interrupt=False):
    """Runs args on a new terminal, typing each line once prompted; prints
    the exit status (or -signal) and whether echo was off at the prompt."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(args[0], args)
    seen, echo = b"", []
    def wait_for(word):
        nonlocal seen
        end = time.time() + 20
        while word not in seen and time.time() < end:
            seen += os.read(fd, 1024)
    for line in typed + ([None] if interrupt else []):
        wait_for(b"passphrase: ")
        seen = seen.split(b"passphrase: ", 1)[1]
        time.sleep(0.1)
        echo.append(bool(termios.tcgetattr(fd)[3] & termios.ECHO))
        os.write(fd, b"\x03" if line is None else line.encode() + b"\n")
    if interrupt:
        time.sleep(0.3)
        echo.append(bool(termios.tcgetattr(fd)[3] & termios.ECHO))
    try:
        while os.read(fd, 1024):
            pass
    except OSError:
        pass
    _, st = os.waitpid(pid, 0)
    code = -os.WTERMSIG(st) if os.WIFSIGNALED(st) else os.WEXITSTATUS(st)
    print(code, " ".join("echo" if e else "noecho" for e in echo))

mode, args = sys.argv[1], sys.argv[2:]
if mode == "twice":
    run(args, ["correct horse", "correct horse"])
elif mode == "mismatch":
    run(args, ["correct horse", "wrong horse"])
elif mode == "once":
    run(args, ["correct horse"])
else:
    run(args, [], interrupt=True)
PY
pty() { python3 "$T/typist.py" "$@"; }

out=$(pty twice "$COYEU" seal -p -o "$T/s.age" "$T/plain")
[ "$out" = "0 noecho noecho" ] && ok || bad "seal -p at a terminal: $out"
out=$(pty once "$COYEU" open -o "$T/s.out" "$T/s.age")
[ "$out" = "0 noecho" ] && ok || bad "open at a terminal: $out"
same "passphrase typed at the terminal" "$T/plain" "$T/s.out"

out=$(pty mismatch "$COYEU" seal -p -o "$T/m.age" "$T/plain")
case $out in 0*) bad "mismatched confirmation accepted: $out" ;; *) ok ;; esac
[ ! -e "$T/m.age" ] && ok || bad "mismatched confirmation left an output"

# Ctrl-C at the prompt: killed by SIGINT (-2), echo back on, no output.
out=$(pty interrupt "$COYEU" open -o "$T/i.out" "$T/s.age")
[ "$out" = "-2 noecho echo" ] && ok || bad "Ctrl-C at the prompt: $out"
[ ! -e "$T/i.out" ] && ok || bad "Ctrl-C at the prompt left an output"

# No terminal at all: a clear way out.
run_st setsid -w "$COYEU" open -o "$T/n.out" "$T/s.age" </dev/null
[ "$st" -ne 0 ] && stderr_has "no terminal" "use --passphrase-file FILE" ||
	bad "without a terminal: exit $st, $(cat "$T/stderr")"

finish
