#!/bin/sh
# The post-quantum recipient from the command line: keygen --pq writes an
# identity file as age-keygen -pq does; seal -r/-R age1pq1… and open -i
# round-trip (binary and armor, several sizes); the mixing rule with X25519
# recipients and --allow-mixed-pq; the wrong key and a damaged stanza are
# refused with exit 1 and a precise message, leaving no output file.
# (Debian's age 1.1.1 predates the hybrid recipient: interoperability is
# tested by the CCTV vectors in the unit tests, and both ways with typage
# in tests/cli/typage.sh.)
. "${SRCDIR:-.}/tests/cli/lib/common.sh"

NOT_YOURS='^coyeu: .*no identity matched any of the recipients: this file was not sealed to you$'

# opens_with DESC FILE KEY…: FILE opens with each key alone to $T/plain.
opens_with() {
	desc=$1; file=$2; shift 2
	for k in "$@"; do
		rm -f "$T/out"
		expect_status 0 "$desc: open -i $k" \
			"$COYEU" open -i "$T/$k.key" -o "$T/out" "$file" &&
			same "$desc, $k" "$T/plain" "$T/out"
	done
}

# set_byte FILE OFFSET CHAR: overwrites one byte.
set_byte() {
	printf '%s' "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# --- keygen --pq ---
expect_status 0 "keygen --pq -o" "$COYEU" keygen --pq -o "$T/pq1.key"
keygen_file_check "$T/pq1.key" 'age1pq1[a-z0-9]{1952}' \
	'AGE-SECRET-KEY-PQ-1[A-Z0-9]{58}'
PQ1=$(sed -n 's/^# public key: //p' "$T/pq1.key")
[ "$(sed -n 's/^Public key: //p' "$T/stderr")" = "$PQ1" ] && ok ||
	bad "the public key on stderr differs from the file's"
expect_status 1 "keygen --pq over an existing file" \
	"$COYEU" keygen --pq -o "$T/pq1.key"
stderr_has "keygen refuses to overwrite" '^coyeu: '
run_st "$COYEU" keygen --pq
[ "$st" -eq 0 ] && grep -Eq '^AGE-SECRET-KEY-PQ-1' "$T/stdout" && ok ||
	bad "keygen --pq without -o: exit $st, no key on stdout"
"$COYEU" keygen --pq -o "$T/pq2.key" 2>/dev/null || bad "keygen --pq (second)"
"$COYEU" keygen -o "$T/x.key" 2>/dev/null || bad "keygen (X25519)"
PQ2=$(sed -n 's/^# public key: //p' "$T/pq2.key")
X=$(sed -n 's/^# public key: //p' "$T/x.key")
[ "$PQ1" != "$PQ2" ] && ok || bad "two keygen --pq runs gave the same key"

# --- round trips ---
for size in 0 1 65536 200000; do
	random_file "$T/plain" "$size"
	for armor in "" -a; do
		rm -f "$T/s.age"
		# shellcheck disable=SC2086
		expect_status 0 "seal -r age1pq1 $armor ($size bytes)" \
			"$COYEU" seal $armor -r "$PQ1" -o "$T/s.age" "$T/plain"
		if [ -z "$armor" ]; then
			grep -aq '^-> mlkem768x25519 ' "$T/s.age" && ok ||
				bad "no mlkem768x25519 stanza in the file"
		fi
		opens_with "$size bytes$armor" "$T/s.age" pq1
	done
done

# a recipients file (-R) with two post-quantum recipients
printf '# team\n%s\n\n%s\n' "$PQ1" "$PQ2" >"$T/recipients"
random_file "$T/plain" 70000
rm -f "$T/s.age"
expect_status 0 "seal -R (two age1pq1)" \
	"$COYEU" seal -R "$T/recipients" -o "$T/s.age" "$T/plain"
opens_with "recipients file" "$T/s.age" pq1 pq2

# --- the wrong key: exit 1, a precise message, no output file ---
rm -f "$T/s.age" "$T/out"
"$COYEU" seal -r "$PQ1" -o "$T/s.age" "$T/plain" || bad "seal -r pq1"
expect_status 1 "open with another post-quantum key" \
	"$COYEU" open -i "$T/pq2.key" -o "$T/out" "$T/s.age"
stderr_has "wrong pq key" "$NOT_YOURS"
[ ! -e "$T/out" ] && ok || bad "wrong key left an output file"
expect_status 1 "open a post-quantum file with an X25519 key" \
	"$COYEU" open -i "$T/x.key" -o "$T/out" "$T/s.age"
stderr_has "X25519 key on a pq file" "$NOT_YOURS"

# --- a damaged stanza ---
at=$(grep -a -b -m 1 '^-> mlkem768x25519 ' "$T/s.age" | cut -d: -f1)
arg=$((at + 18))
for off in 100 1480; do
	cp "$T/s.age" "$T/t.age"
	c=$(dd if="$T/t.age" bs=1 skip=$((arg + off)) count=1 status=none)
	if [ "$c" = A ]; then set_byte "$T/t.age" $((arg + off)) B
	else set_byte "$T/t.age" $((arg + off)) A; fi
	expect_status 1 "damaged encapsulated key (digit $off)" \
		"$COYEU" open -i "$T/pq1.key" -o "$T/out" "$T/t.age"
	stderr_has "damaged encapsulated key" "$NOT_YOURS"
done
cp "$T/s.age" "$T/t.age"
set_byte "$T/t.age" $((arg + 1493)) '='
expect_status 1 "malformed encapsulated key" \
	"$COYEU" open -i "$T/pq1.key" -o "$T/out" "$T/t.age"
stderr_has "malformed stanza" '^coyeu: .*malformed mlkem768x25519 stanza: the encapsulated key must be 1120 bytes of canonical base64$'
[ ! -e "$T/out" ] && ok || bad "a damaged file left an output file"

# --- mixing with X25519 ---
rm -f "$T/m.age"
expect_status 1 "seal to post-quantum and X25519 together" \
	"$COYEU" seal -r "$PQ1" -r "$X" -o "$T/m.age" "$T/plain"
stderr_has "mixing refused" '^coyeu: .*cannot mix post-quantum \(age1pq1…\) and classic \(age1…\) recipients'
[ ! -e "$T/m.age" ] && ok || bad "a refused seal left an output file"
expect_status 0 "seal --allow-mixed-pq" \
	"$COYEU" seal --allow-mixed-pq -r "$PQ1" -r "$X" -o "$T/m.age" "$T/plain"
opens_with "mixed file" "$T/m.age" pq1 x
expect_status 1 "open the mixed file with a third key" \
	"$COYEU" open -i "$T/pq2.key" -o "$T/out" "$T/m.age"
stderr_has "mixed file, wrong key" "$NOT_YOURS"
# one identity file holding both kinds
cat "$T/pq2.key" "$T/x.key" >"$T/both.key"
opens_with "mixed file" "$T/m.age" both

# --- refused keys and help ---
expect_status 2 "a truncated age1pq1 recipient" \
	"$COYEU" seal -r "${PQ1%?}" -o "$T/r.age" "$T/plain"
stderr_has "truncated recipient" '^coyeu: .*invalid recipient'
expect_status 2 "a secret key given as a recipient" \
	"$COYEU" seal -r "$(grep '^AGE-SECRET' "$T/pq1.key")" -o "$T/r.age" "$T/plain"
stderr_has "secret key as recipient" 'this is a secret key'
grep -q 'AGE-SECRET-KEY-PQ-1[A-Z0-9]' "$T/stderr" &&
	bad "the secret key was echoed in an error message" || ok
expect_status 0 "keygen --help" "$COYEU" keygen --help
grep -q -- '--pq' "$T/stdout" && ok || bad "keygen --help lacks --pq"
expect_status 0 "seal --help" "$COYEU" seal --help
grep -q 'age1pq1' "$T/stdout" && grep -q -- '--allow-mixed-pq' "$T/stdout" &&
	ok || bad "seal --help lacks age1pq1 or --allow-mixed-pq"
expect_status 0 "open --help" "$COYEU" open --help
grep -q 'AGE-SECRET-KEY-PQ-1' "$T/stdout" && ok ||
	bad "open --help lacks AGE-SECRET-KEY-PQ-1"
finish
