#!/bin/sh
# Tampering and failure paths: a single flipped bit anywhere in a sealed
# file (header, MAC, nonce, every chunk and tag), truncation and appended data
# are each refused with exit 1, a "coyeu:" message and no output file; to
# stdout, nothing unverified is released.  Then the wrong identity, usage
# errors (exit 2) and --help (exit 0).
. "${SRCDIR:-.}/tests/cli/lib/common.sh"

CHUNK=65536
STORED=$((CHUNK + 16))     # a full chunk as stored: ciphertext and tag
SIZE=204800                # three full chunks and a short last one
RANDOM_FLIPS=40

"$COYEU" keygen -o "$T/id" 2>/dev/null || { bad "coyeu keygen"; finish; exit 1; }
"$COYEU" keygen -o "$T/other" 2>/dev/null || bad "coyeu keygen (second)"
R=$(sed -n 's/^# public key: //p' "$T/id")
random_file "$T/plain" "$SIZE"
F="$T/sealed.age"
"$COYEU" seal -r "$R" -o "$F" "$T/plain" || { bad "seal"; finish; exit 1; }
if "$COYEU" open -i "$T/id" -o "$T/check" "$F"; then
	same "the untampered file opens" "$T/plain" "$T/check"
else
	bad "the untampered file does not open"
fi

# The layout: header up to and including the MAC line, a 16-byte nonce,
# then the chunks.
mac_at=$(grep -a -b -m 1 '^--- ' "$F" | cut -d: -f1)
hdr=$((mac_at + $(grep -a -m 1 '^--- ' "$F" | wc -c)))
p0=$((hdr + 16))
total=$(file_size "$F")
nchunks=$(( (SIZE + CHUNK - 1) / CHUNK ))
[ "$total" -eq $((p0 + SIZE + 16 * nchunks)) ] && ok ||
	bad "sealed size $total, expected header $hdr + 16 + payload"
mkdir "$T/out"

# refused DESC FILE [chunk]: opening FILE with -o fails cleanly; "chunk"
# asks for the message to name the chunk.
refused() {
	run_st "$COYEU" open -i "$T/id" -o "$T/out/plain" "$2"
	if [ "$st" -ne 1 ]; then
		bad "$1: exit $st, expected 1; stderr: $(head -c 200 "$T/stderr")"
	elif [ -n "$(ls -A "$T/out")" ]; then
		bad "$1: files left behind in the output folder: $(ls -A "$T/out")"
		rm -f "$T/out/"* "$T/out/".[!.]* 2>/dev/null
	elif ! grep -q '^coyeu: ' "$T/stderr"; then
		bad "$1: no 'coyeu:' message: $(head -c 200 "$T/stderr")"
	elif [ "${3:-}" = chunk ] && ! grep -q 'chunk' "$T/stderr"; then
		bad "$1: the message does not name the chunk: $(cat "$T/stderr")"
	else
		ok
	fi
}

# refused_stdout DESC FILE LIMIT: to stdout, exit 1, and what was released
# is the start of the true plaintext, at most LIMIT bytes (the chunks before
# the damage).
refused_stdout() {
	run_st "$COYEU" open -i "$T/id" "$2"
	got=$(file_size "$T/stdout")
	if [ "$st" -ne 1 ]; then
		bad "$1 (stdout): exit $st, expected 1"
	elif [ "$got" -gt "$3" ]; then
		bad "$1 (stdout): released $got bytes, only $3 verified"
	elif [ "$got" -gt 0 ] && ! cmp -s -n "$got" "$T/stdout" "$T/plain"; then
		bad "$1 (stdout): released bytes that are not the plaintext"
	else
		ok
	fi
}

# flip OFFSET: $T/t = F with one bit of byte OFFSET flipped.
flip() {
	cp "$F" "$T/t"
	flip_byte "$T/t" "$1"
}

region_of() {
	if [ "$1" -lt "$mac_at" ]; then echo "header (stanzas)"
	elif [ "$1" -lt "$hdr" ]; then echo "header (MAC line)"
	elif [ "$1" -lt "$p0" ]; then echo "payload nonce"
	else echo "chunk $(( ($1 - p0) / STORED ))"
	fi
}

flip_at() {
	flip "$1"
	r=$(region_of "$1")
	case $r in chunk*) refused "bit flip at $1 ($r)" "$T/t" chunk ;;
	*) refused "bit flip at $1 ($r)" "$T/t" ;;
	esac
}

# Every byte of the header, every byte of the nonce.
off=0
while [ "$off" -lt "$p0" ]; do
	flip_at "$off"
	off=$((off + 1))
done
# Each chunk: first, middle and last ciphertext byte, first and last tag byte.
i=0
while [ "$i" -lt "$nchunks" ]; do
	start=$((p0 + i * STORED))
	end=$((start + STORED))
	[ "$end" -gt "$total" ] && end=$total
	for off in "$start" $(( (start + end - 16) / 2 )) $((end - 17)) \
	    $((end - 16)) $((end - 1)); do
		flip_at "$off"
	done
	i=$((i + 1))
done
# A random sample of the rest of the payload.
for n in $(od -An -tu4 -N $((4 * RANDOM_FLIPS)) /dev/urandom); do
	flip_at $((p0 + n % (total - p0)))
done

# To stdout: damage in chunk 2 releases at most chunks 0 and 1.
flip $((p0 + 2 * STORED + 100))
refused_stdout "bit flip in chunk 2" "$T/t" $((2 * CHUNK))
flip $((total - 1))
refused_stdout "bit flip in the last tag" "$T/t" $(( (nchunks - 1) * CHUNK ))
flip $((hdr - 5))
refused_stdout "bit flip in the MAC" "$T/t" 0

# Truncations: inside the header, without the nonce, with a short nonce,
# with no chunk, at chunk boundaries, mid-chunk, the last byte removed.
for cut in 10 "$mac_at" $((mac_at + 20)) $((hdr - 1)) "$hdr" $((hdr + 8)) \
    "$p0" $((p0 + STORED)) $((p0 + 2 * STORED)) $((p0 + 3 * STORED)) \
    $((p0 + STORED + 1000)) $((p0 + 3 * STORED + 10)) $((total - 16)) \
    $((total - 1)); do
	head -c "$cut" "$F" >"$T/t"
	refused "truncated to $cut of $total bytes" "$T/t"
done
head -c $((p0 + STORED + 1000)) "$F" >"$T/t"
refused_stdout "truncated mid chunk 1" "$T/t" "$CHUNK"

# Appended data: one byte, one full stored chunk, one tag's worth.
for extra in 1 "$STORED" 16; do
	cp "$F" "$T/t"
	head -c "$extra" /dev/urandom >>"$T/t"
	refused "$extra bytes appended" "$T/t"
done
refused_stdout "a chunk appended" "$T/t" "$SIZE"

# The wrong identity.
run_st "$COYEU" open -i "$T/other" -o "$T/out/plain" "$F"
[ "$st" -eq 1 ] && ok || bad "wrong identity: exit $st, expected 1"
stderr_has "wrong identity" '^coyeu: .*no identity matched'
[ -z "$(ls -A "$T/out")" ] && ok || bad "wrong identity: output file left"

# Wrong passphrase, and a missing input.
printf 'right\n' >"$T/pass"; printf 'wrong\n' >"$T/wrong"
"$COYEU" seal -p --passphrase-file "$T/pass" -o "$T/p.age" "$T/plain" ||
	bad "seal -p"
refused_pass() {
	run_st "$COYEU" open --passphrase-file "$T/wrong" -o "$T/out/plain" "$1"
	[ "$st" -eq 1 ] && [ -z "$(ls -A "$T/out")" ] && ok ||
		bad "wrong passphrase: exit $st or output left"
}
refused_pass "$T/p.age"
refused "missing input file" "$T/does-not-exist"

# keygen never overwrites a key.
cp "$T/id" "$T/id.copy"
expect_status 1 "keygen -o over an existing file" "$COYEU" keygen -o "$T/id"
cmp -s "$T/id" "$T/id.copy" && ok || bad "keygen changed an existing key file"

# A bad recipient: refused, no output.
run_st "$COYEU" seal -r age1notarecipient -o "$T/out/x.age" "$T/plain"
[ "$st" -ne 0 ] && [ -z "$(ls -A "$T/out")" ] && grep -q '^coyeu: ' "$T/stderr" &&
	ok || bad "bad recipient: exit $st, output or message wrong"

# An input truncated by another program while coyeu maps it: a clear
# message and exit 1 instead of a SIGBUS core, and no output file.  The
# 4 GiB sparse input takes seconds to seal; it is cut once the temporary
# output exists (so the mapping is in place).
mkdir "$T/shrink"
truncate -s 4G "$T/shrink/big"
"$COYEU" seal -j 1 -r "$R" -o "$T/shrink/out" "$T/shrink/big" \
	2>"$T/shrink.err" &
pid=$!
i=0
while [ $i -lt 500 ] && ! ls -a "$T/shrink" | grep -q '^\.out\.'; do
	sleep 0.01; i=$((i + 1))
done
sleep 0.1
truncate -s 1M "$T/shrink/big"
st=0; wait $pid || st=$?
[ "$st" -eq 1 ] && ok || bad "seal of a file truncated meanwhile: exit $st"
grep -q "big: the file shrank while it was being read" "$T/shrink.err" && ok ||
	bad "seal of a truncated file: $(cat "$T/shrink.err")"
[ "$(ls -a "$T/shrink")" = "$(printf '.\n..\nbig')" ] && ok ||
	bad "seal of a truncated file left: $(ls -a "$T/shrink")"

# Usage errors: exit 2.
usage() {
	expect_status 2 "usage: coyeu $*" "$COYEU" "$@" &&
		stderr_has "usage: coyeu $*" '^coyeu: '
}
usage seal "$T/plain"                               # no recipient
usage seal -p -r "$R" --passphrase-file "$T/pass" "$T/plain"
usage seal --no-such-option -r "$R" "$T/plain"
usage seal -r                                       # missing argument
usage seal -r "$R" -o
usage seal -j 0 -r "$R" "$T/plain"
usage seal --threads many -r "$R" "$T/plain"
usage seal -r "$R" "$T/plain" "$T/plain"            # two inputs
usage open --no-such-option -i "$T/id" "$F"
usage open -i
usage open -j -1 -i "$T/id" "$F"
usage open -i "$T/id" "$F" "$F"
usage keygen --no-such-option
usage keygen -o
usage keygen extra-argument
usage no-such-command

# --help: usage on stdout, exit 0.
for c in keygen seal open; do
	expect_status 0 "coyeu $c --help" "$COYEU" "$c" --help &&
		{ grep -qi 'usage' "$T/stdout" && ok ||
			bad "coyeu $c --help prints no usage on stdout"; }
done

finish
