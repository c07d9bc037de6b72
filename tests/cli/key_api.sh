#!/bin/sh
# Keys are handles (docs/idkey.md): the public headers declare no function
# that hands out a key's raw secret, but for the named exports of an
# officer's sealing keys to stock age (cy_idkey_export_age_identity and its
# post-quantum twin cy_idkey_export_age_identity_pq) and the
# string forms of keys the caller made itself (age-keygen identities, a log's
# note signer).
. "${SRCDIR:-.}/tests/cli/lib/common.sh"

# Every CY_API prototype on one line, comments left out.
for h in "$SRCDIR"/include/coyeu/*.h; do
	awk '/^CY_API /{p = ""; on = 1}
	    on {sub(/\/\*.*/, ""); p = p " " $0}
	    on && /;/ {print p; on = 0}' "$h"
done | sed -E 's/[[:space:]]+/ /g' >"$T/protos"
[ -s "$T/protos" ] && ok || bad "no prototypes found in include/coyeu"
name() { sed -E 's/.*\b(cy_[a-z0-9_]+) *\(.*/\1/'; }

# none DESC FILE: FILE (prototypes) is empty, else DESC and their names.
none() {
	if [ -s "$2" ]; then
		bad "$1: $(name <"$2" | tr '\n' ' ')"
	else
		ok
	fi
}

# No function named for a secret, seed or private key (guarded memory,
# cy_secret_*, and cy_file_read_private, which reads a key file checking
# its mode, excepted): the former cy_idkey_seal_secret is gone.
grep -E '\bcy_[a-z0-9_]*(secret|seed|private)[a-z0-9_]* *\(' "$T/protos" |
	grep -vE '\bcy_(secret_alloc|secret_free|file_read_private) *\(' \
	>"$T/named" || true
none "functions named for a secret" "$T/named"

# The functions writing a secret key's string form are exactly these.
writes='CY_IDENTITY_STR_MAX|signer_string *\(|\bcy_(id)?key_[a-z0-9_]*export'
grep -E "$writes" "$T/protos" | name | sort >"$T/writers"
printf '%s\n' cy_identity_string cy_idkey_export_age_identity \
    cy_idkey_export_age_identity_pq cy_note_signer_string | sort >"$T/allowed"
if cmp -s "$T/writers" "$T/allowed"; then
	ok
else
	bad "secret writers differ from the allowed ones:" \
	    "$(diff "$T/allowed" "$T/writers" | grep '^[<>]' | tr '\n' ' ')"
fi

# Of those, only the named exports take a key handle (an officer key or a
# token's); the others take what the caller generated or parsed.
grep -E "$writes" "$T/protos" | grep -E '\bcy_(id)?key \*' | name |
	tr '\n' ' ' >"$T/keyed"
if [ "$(cat "$T/keyed")" = \
    "cy_idkey_export_age_identity cy_idkey_export_age_identity_pq " ]; then
	ok
else
	bad "functions exporting a key handle's secret: $(tr '\n' ' ' <"$T/keyed")"
fi

# No pointer into a key's memory comes back from a key handle (its public
# keys are copies the handle keeps).
grep -E '^ ?CY_API [a-z0-9_ ]*\*cy_(id)?key_' "$T/protos" |
	grep -vE '\bcy_(id)?key_(sign|seal|pq)_public *\(|\bcy_key_kind *\(' \
	>"$T/ptrs" || true
none "key functions returning pointers" "$T/ptrs"
finish
