# Shared by the demo parts (sourced): $D is the part's folder.

say() { printf '\n== %s\n' "$*"; }
indent() { sed 's/^/   /'; }

# shown COMMAND...: runs the command, shows what it printed, indented, and
# stops the part if it failed (a pipe into indent would hide that).
shown() {
	if "$@" >"$D/shown" 2>&1; then
		indent <"$D/shown"
	else
		indent <"$D/shown"
		echo "   ERROR: $1 ${2:-} ${3:-} failed" >&2
		exit 1
	fi
}

# refused DESCRIPTION COMMAND...: the command must fail, releasing nothing
# on standard output; shows why.
refused() {
	what=$1
	shift
	if "$@" >"$D/out" 2>"$D/err"; then
		echo "   ERROR: $what was accepted" >&2
		exit 1
	fi
	printf '   refused, as it must be: %s\n' \
	    "$(head -n 1 "$D/err" | sed 's/^coyeu: //')"
	[ ! -s "$D/out" ] || { echo "   ERROR: $what released output" >&2; exit 1; }
}
