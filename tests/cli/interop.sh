#!/bin/sh
# Interoperability with Debian's age, both directions: coyeu seals and age
# opens, age seals and coyeu opens — X25519 with 1 and 3 recipients, a
# recipients file, a passphrase and armor, for inputs of 0 bytes, 1 byte,
# exactly one chunk (64 KiB), one chunk and a byte, and 10 MiB.
. "${SRCDIR:-.}/tests/cli/lib/common.sh"

if ! command -v age >/dev/null || ! command -v age-keygen >/dev/null; then
	echo "interop: age and age-keygen are required (make deps)"
	exit 1
fi

PASS="correct horse battery staple"
printf '%s\n' "$PASS" >"$T/pass"
SIZES="0 1 65536 65537 10485760"

# --- keys: two from coyeu keygen, three from age-keygen ---
keygen_check() {
	key=$1
	expect_status 0 "coyeu keygen -o" "$COYEU" keygen -o "$key"
	keygen_file_check "$key" 'age1[a-z0-9]+' 'AGE-SECRET-KEY-1[A-Z0-9]+'
	# age derives the same public key from coyeu's secret key
	pub=$(sed -n 's/^# public key: //p' "$key")
	[ "$(recipient_of "$key")" = "$pub" ] && ok ||
		bad "age-keygen -y disagrees with coyeu's public key line"
}
keygen_check "$T/c1.key"
keygen_check "$T/c2.key"
run_st "$COYEU" keygen
[ "$st" -eq 0 ] && grep -Eq '^AGE-SECRET-KEY-1' "$T/stdout" && ok ||
	bad "coyeu keygen without -o: exit $st, no key on stdout"
for k in a1 a2 a3; do
	age-keygen -o "$T/$k.key" 2>/dev/null || bad "age-keygen failed"
done
C1=$(recipient_of "$T/c1.key"); C2=$(recipient_of "$T/c2.key")
A1=$(recipient_of "$T/a1.key"); A2=$(recipient_of "$T/a2.key")
A3=$(recipient_of "$T/a3.key")
{
	echo "# team recipients"
	echo
	echo "$A3"
	echo "$C2"
} >"$T/recipients"

# --- one direction each way, for one input ---
# coyeu_to_age DESC IN 'SEAL-ARGS' 'OPEN-ARGS'
coyeu_to_age() {
	rm -f "$T/x.age" "$T/x.out"
	# shellcheck disable=SC2086
	expect_status 0 "$1: coyeu seal" "$COYEU" seal $3 -o "$T/x.age" "$2" ||
		return
	: >"$T/x.out" # age creates its output only when it writes a byte
	# shellcheck disable=SC2086
	expect_status 0 "$1: age -d" age -d $4 -o "$T/x.out" "$T/x.age"
	same "$1: coyeu seal, age -d" "$2" "$T/x.out"
}
age_to_coyeu() {
	rm -f "$T/y.age" "$T/y.out"
	# shellcheck disable=SC2086
	expect_status 0 "$1: age -e" age -e $3 -o "$T/y.age" "$2"
	# shellcheck disable=SC2086
	expect_status 0 "$1: coyeu open" "$COYEU" open $4 -o "$T/y.out" "$T/y.age"
	same "$1: age -e, coyeu open" "$2" "$T/y.out"
}

# The passphrase paths: age only reads a passphrase from a terminal.
passphrase_both_ways() {
	rm -f "$T/x.age" "$T/x.out" "$T/y.age" "$T/y.out"
	expect_status 0 "$1: coyeu seal -p" "$COYEU" seal -p \
	    --passphrase-file "$T/pass" -o "$T/x.age" "$2"
	grep -aq '^-> scrypt ' "$T/x.age" && ok || bad "$1: no scrypt stanza"
	: >"$T/x.out"
	if tty_run "$PASS" age -d -o "$T/x.out" "$T/x.age" >"$T/tty" 2>&1; then
		same "$1: coyeu seal -p, age -d" "$2" "$T/x.out"
	else
		bad "$1: age -d of coyeu's passphrase file: $(tail -c 300 "$T/tty")"
	fi
	tty_run "$PASS" age -e -p -o "$T/y.age" "$2" >"$T/tty" 2>&1 ||
		bad "$1: age -e -p: $(tail -c 300 "$T/tty")"
	expect_status 0 "$1: coyeu open --passphrase-file" "$COYEU" open \
	    --passphrase-file "$T/pass" -o "$T/y.out" "$T/y.age"
	same "$1: age -e -p, coyeu open" "$2" "$T/y.out"
}

armor_both_ways() {
	coyeu_to_age "$1 armor" "$2" "-a -r $A1" "-i $T/a1.key"
	head -n 1 "$T/x.age" | grep -q '^-----BEGIN AGE ENCRYPTED FILE-----$' &&
		ok || bad "$1: coyeu seal -a output is not armored"
	age_to_coyeu "$1 armor" "$2" "-a -r $C1" "-i $T/c1.key"
}

for size in $SIZES; do
	in="$T/in.$size"
	random_file "$in" "$size"
	d="$size bytes"
	coyeu_to_age "$d, 1 recipient" "$in" "-r $A1" "-i $T/a1.key"
	age_to_coyeu "$d, 1 recipient" "$in" "-r $C1" "-i $T/c1.key"
	coyeu_to_age "$d, 3 recipients" "$in" "-r $A1 -r $C1 -r $A2" \
	    "-i $T/a2.key"
	age_to_coyeu "$d, 3 recipients" "$in" "-r $C1 -r $A1 -r $C2" \
	    "-i $T/c2.key"
	coyeu_to_age "$d, -R file" "$in" "-R $T/recipients" "-i $T/a3.key"
	age_to_coyeu "$d, -R file" "$in" "-R $T/recipients" "-i $T/c2.key"
	passphrase_both_ways "$d, passphrase" "$in"
	armor_both_ways "$d" "$in"
done

# Each of three recipients opens; several -i files, only the last matching.
in="$T/in.65537"
"$COYEU" seal -r "$A1" -r "$C1" -r "$A2" -o "$T/m.age" "$in" ||
	bad "seal to three"
for k in a1 a2; do
	if age -d -i "$T/$k.key" -o "$T/m.$k" "$T/m.age"; then
		same "3 recipients, $k" "$in" "$T/m.$k"
	else
		bad "3 recipients: age -d -i $k.key"
	fi
done
expect_status 0 "open with -i twice" "$COYEU" open -i "$T/c2.key" \
    -i "$T/c1.key" -o "$T/m.c1" "$T/m.age"
same "3 recipients, c1 as second -i" "$in" "$T/m.c1"
age -e -r "$A1" -r "$C2" -r "$C1" -o "$T/n.age" "$in"
for k in c1 c2; do
	expect_status 0 "age to 3, coyeu $k" "$COYEU" open -i "$T/$k.key" \
	    -o "$T/n.$k" "$T/n.age"
	same "age to 3, coyeu $k" "$in" "$T/n.$k"
done

# Pipes: stdin to stdout both ways, and armor read from a pipe.
big="$T/in.10485760"
"$COYEU" seal -r "$A1" <"$big" >"$T/p.age" && ok || bad "seal stdin to stdout"
if age -d -i "$T/a1.key" "$T/p.age" >"$T/p.out"; then
	same "seal through pipes" "$big" "$T/p.out"
else
	bad "age -d of coyeu's piped output"
fi
if age -e -a -r "$C1" <"$big" | "$COYEU" open -i "$T/c1.key" >"$T/q.out"; then
	same "open armor from a pipe" "$big" "$T/q.out"
else
	bad "coyeu open of piped armor"
fi

# Thread counts: one thread and the default both give files age opens, and
# coyeu opens age's file with any thread count.
for j in "-j 1" "--threads 2" "-j 7" ""; do
	# shellcheck disable=SC2086
	coyeu_to_age "10 MiB, seal ${j:-default threads}" "$big" "$j -r $A1" \
	    "-i $T/a1.key"
done
age -e -r "$C1" -o "$T/t.age" "$big"
for j in "-j 1" "--threads 3" ""; do
	rm -f "$T/t.out"
	# shellcheck disable=SC2086
	expect_status 0 "open ${j:-default}" "$COYEU" open $j -i "$T/c1.key" \
	    -o "$T/t.out" "$T/t.age"
	same "10 MiB, open ${j:-default threads}" "$big" "$T/t.out"
done

finish
