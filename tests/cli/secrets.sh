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

finish
