#!/bin/sh
# Secrets never reach the terminal or a log: error messages about a key or
# passphrase in the wrong place name the place, not the secret.
. "${SRCDIR:-.}/tests/cli/lib/common.sh"

"$COYEU" keygen -o "$T/id" 2>"$T/keygen.err" || bad "coyeu keygen"
SECRET=$(grep '^AGE-SECRET-KEY-1' "$T/id")
R=$(sed -n 's/^# public key: //p' "$T/id")
# Any 16 characters of the key's data part count as a leak.
SECRET_PART=$(printf '%s' "$SECRET" | cut -c 20-35)
random_file "$T/plain" 1000

# no_secret DESC TEXT_FILE…: none of the files shows the secret.
no_secret() {
	desc=$1; shift
	if cat "$@" | grep -q -- "$SECRET_PART"; then
		bad "$desc: the secret key appears in the output: $(cat "$@" | head -c 300)"
	else
		ok
	fi
}

no_secret "keygen -o prints only the public key" "$T/keygen.err"

# An identity file handed over as a recipients file (a common slip).
run_st "$COYEU" seal -R "$T/id" -o "$T/x.age" "$T/plain"
[ "$st" -ne 0 ] && [ ! -e "$T/x.age" ] && ok ||
	bad "seal -R with an identity file: exit $st or output written"
no_secret "seal -R IDENTITY-FILE" "$T/stderr" "$T/stdout"

# A secret key given with -r.
run_st "$COYEU" seal -r "$SECRET" -o "$T/x.age" "$T/plain"
[ "$st" -ne 0 ] && ok || bad "seal -r SECRET-KEY: exit $st"
no_secret "seal -r SECRET-KEY" "$T/stderr" "$T/stdout"

# A damaged identity file (one character of the key changed).
sed 's/^\(AGE-SECRET-KEY-1.*\).$/\1Q/' "$T/id" >"$T/bad-id"
cmp -s "$T/id" "$T/bad-id" && sed -i 's/^\(AGE-SECRET-KEY-1.*\).$/\1P/' "$T/bad-id"
"$COYEU" seal -r "$R" -o "$T/s.age" "$T/plain" || bad "seal"
run_st "$COYEU" open -i "$T/bad-id" -o "$T/x.out" "$T/s.age"
[ "$st" -eq 1 ] && ok || bad "open with a damaged identity file: exit $st"
no_secret "open -i DAMAGED-IDENTITY" "$T/stderr" "$T/stdout"

# A wrong passphrase is not repeated back.
printf 'the right passphrase\n' >"$T/pass"
printf 'hunter2-wrong-one\n' >"$T/wrong"
chmod 600 "$T/pass" "$T/wrong"
"$COYEU" seal -p --passphrase-file "$T/pass" -o "$T/p.age" "$T/plain" ||
	bad "seal -p"
run_st "$COYEU" open --passphrase-file "$T/wrong" -o "$T/x.out" "$T/p.age"
[ "$st" -eq 1 ] && ok || bad "open with a wrong passphrase: exit $st"
if grep -q 'hunter2' "$T/stderr"; then
	bad "the wrong passphrase appears in the message: $(cat "$T/stderr")"
else
	ok
fi

# Plaintext written to a file is private to its owner, whatever the umask.
(umask 022 && "$COYEU" open --passphrase-file "$T/pass" -o "$T/plain.out" \
	"$T/p.age") || bad "open -o"
[ "$(stat -c %a "$T/plain.out")" = 600 ] && ok ||
	bad "opened plaintext has mode $(stat -c %a "$T/plain.out"), not 600"

# --- secret files others may open, or that are not what they seem ----------
# Identity and passphrase files others may read still work (age reads
# them) but draw a warning, as ssh gives.
chmod 644 "$T/id"
run_st "$COYEU" open -i "$T/id" -o "$T/w.out" "$T/s.age"
[ "$st" -eq 0 ] && ok || bad "open -i with a 0644 identity file: exit $st"
stderr_has "open -i 0644 identity file: warns" \
    "^coyeu: warning: $T/id is readable by others \(mode 0644\); keep secrets 0600\$"
chmod 600 "$T/id"
run_st "$COYEU" open -i "$T/id" -o "$T/w2.out" "$T/s.age"
[ "$st" -eq 0 ] && ! grep -q warning "$T/stderr" && ok ||
	bad "open -i with a 0600 identity file: exit $st, $(cat "$T/stderr")"
chmod 644 "$T/pass"
run_st "$COYEU" open --passphrase-file "$T/pass" -o "$T/w3.out" "$T/p.age"
[ "$st" -eq 0 ] && ok || bad "open with a 0644 passphrase file: exit $st"
stderr_has "0644 passphrase file: warns" \
    "warning: $T/pass is readable by others \(mode 0644\); keep secrets 0600"

# Officer key files are refused unless they are the caller's own regular
# file, opened once: not through a symbolic link, not a FIFO (which would
# hang the reader or feed it a planted key), not another user's file.
"$COYEU" id new --unprotected -o "$T/officer.key" >/dev/null 2>&1 ||
	bad "id new"
# key_refused DESC KEY WORDS: id age-identity -k KEY fails at once, saying
# WORDS, and writes nothing.
key_refused() {
	rm -f "$T/agekey"
	run_st timeout 20 "$COYEU" id age-identity -k "$2" -o "$T/agekey"
	if [ "$st" -eq 1 ] && [ ! -e "$T/agekey" ]; then
		ok
	else
		bad "$1: exit $st, expected 1 and no output"
	fi
	stderr_has "$1: says why" "$3"
}
expect_status 0 "id age-identity with the key itself" \
    "$COYEU" id age-identity -k "$T/officer.key" -o "$T/agekey"
ln -s officer.key "$T/link.key"
key_refused "a key file reached through a symbolic link" "$T/link.key" \
    "symbolic link"
mkfifo -m 600 "$T/fifo.key"
key_refused "a key file that is a FIFO" "$T/fifo.key" "not a regular file"
cp "$T/officer.key" "$T/theirs.key"
if chown 65534 "$T/theirs.key" 2>/dev/null; then
	key_refused "another user's key file" "$T/theirs.key" \
	    "belongs to user 65534, not to you"
else
	echo "note: not root: another user's key file not tried"
fi

finish
