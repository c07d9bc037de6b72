#!/bin/sh
# The library's layers, lowest first: a file may include headers of its own
# layer and of lower ones, never of a higher one, and doc/ and reg/ (the
# same height) never each other.  Public headers count as the layer that
# implements them.  Usage: check-layers.sh (from the project root).
set -eu
rank() {
	case $1 in
	base) echo 0 ;; store | net) echo 1 ;; age) echo 2 ;; pki) echo 3 ;;
	doc | reg) echo 4 ;;
	*) echo "layers: unknown layer '$1'" >&2; exit 1 ;;
	esac
}
# The layer of a public header: the folder holding its implementation.
public_layer() {
	case $1 in log) echo reg; return ;; esac  # log.h: lib/reg/log*.c
	for d in lib/*/; do
		[ -e "$d$1.c" ] && { basename "$d"; return; }
	done
	echo "layers: no lib/*/$1.c implements include/coyeu/$1.h" >&2
	exit 1
}
bad=0
for f in lib/*/*.c lib/*/*.h include/coyeu/*.h; do
	case $f in
	include/*) n=$(basename "$f" .h); own=$(public_layer "$n") ;;
	*) own=$(basename "$(dirname "$f")") ;;
	esac
	for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		case $inc in
		coyeu/*) n=${inc#coyeu/}; n=${n%.h}; to=$(public_layer "$n") ;;
		*/*) to=${inc%%/*} ;;
		*) continue ;;
		esac
		[ -n "$to" ] && [ -n "$own" ] || exit 1
		[ "$to" = "$own" ] && continue
		if [ "$(rank "$to")" -ge "$(rank "$own")" ]; then
			echo "layers: $f ($own) includes $inc ($to)" >&2
			bad=1
		fi
	done
done
# The programs (coyeu in cli/, coyeud in server/) see the public API only; common/ (shared by coyeu and
# coyeud) sees nothing of either program.
if grep -n '^#include "\(lib\|base\|store\|age\|pki\|doc\|reg\)/' \
    cli/*.[ch] common/*.[ch] server/*.[ch] >&2; then
	echo "layers: cli/, server/ and common/ include no lib/ header" >&2
	bad=1
fi
for f in common/*.[ch]; do
	sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | grep -qv '^\(coyeu\|common\)/' &&
		{ echo "layers: $f includes a header outside coyeu/ and common/" >&2; bad=1; }
done
[ "$bad" -eq 0 ] || exit 1
echo "layers: $(ls lib/*/*.c | wc -l) files, no include goes up a layer"
