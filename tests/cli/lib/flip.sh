# Sourced by the command-line test helpers.

# flip_byte FILE OFFSET: flips one bit of the byte at OFFSET (which bit
# varies with the offset), so the byte always changes, whatever it held.
flip_byte() {
	_b=$(od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' ')
	_b=$((_b ^ (1 << ($2 % 8))))
	# shellcheck disable=SC2059
	printf "\\$(printf %03o "$_b")" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
