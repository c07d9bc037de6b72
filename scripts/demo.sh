#!/bin/sh
# make demo: what coyeu does, step by step, for someone seeing it first.
#
#   sh scripts/demo.sh build/coyeu
#
# Each part is a function (section_…) called from main(): sealing, the
# authority, classified documents, the register, the registry server,
# documents through the registry, post-quantum TUYỆT MẬT, the inventory.  Every
# step checks its outcome: the demo exits 1 as soon as one does not behave
# as it should.
set -eu

COYEU=${1:-build/coyeu}
case $COYEU in /*) ;; *) COYEU=$(pwd)/$COYEU ;; esac
[ -x "$COYEU" ] || { echo "demo: no coyeu binary at $COYEU (run make)" >&2; exit 1; }
SCRIPTS=$(cd "$(dirname "$0")" && pwd)
D=$(mktemp -d "${TMPDIR:-/tmp}/coyeu-demo.XXXXXX")
trap 'rm -rf "$D"' EXIT
trap 'exit 130' INT TERM
cd "$D"
STEP=0

# Shown commands run as "coyeu" from the scratch folder.
coyeu() { "$COYEU" "$@"; }

section() { printf '\n=== %s ===\n' "$*"; }
step() { STEP=$((STEP + 1)); printf '\n==> %d. %s\n' "$STEP" "$*"; }
say() { printf '    %s\n' "$*"; }
broken() { printf '\n!!! demo step %d did not behave as expected: %s\n' "$STEP" "$*" >&2; exit 1; }

# show CMD…: prints and runs a command, indenting what it prints; its exit
# status is left in $st.
show() {
	printf '    $ %s\n' "$*"
	st=0
	"$@" >"$D/.out" 2>&1 || st=$?
	sed 's/^/      /' "$D/.out"
}

must_work() { show "$@"; [ "$st" -eq 0 ] || broken "'$*' failed (exit $st)"; }
must_refuse() {
	show "$@"
	[ "$st" -eq 1 ] || broken "'$*' should have been refused with exit 1, got $st"
}

# --- part 1: sealing to people, opening, refusing ---
section_sealing() {
	section "Part 1: sealing a file to people (age v1)"

	step "Alice and Bob each create an identity: a secret key file, and a public key they can hand out"
	must_work coyeu keygen -o alice.key
	must_work coyeu keygen -o bob.key
	ALICE=$(sed -n 's/^# public key: //p' alice.key)
	BOB=$(sed -n 's/^# public key: //p' bob.key)
	[ -n "$ALICE" ] && [ -n "$BOB" ] || broken "no public key in the key files"
	say "The key files are readable by their owner only: $(stat -c '%A' alice.key) alice.key"

	step "A report is sealed to both Alice and Bob (only their public keys are needed)"
	{
		echo "REPORT 2024-117: inspection of the northern depot"
		i=1
		while [ "$i" -le 2000 ]; do
			echo "line $i: stock counted, seals intact, nothing to report"
			i=$((i + 1))
		done
	} >report.txt
	say "report.txt is $(wc -c <report.txt | tr -d ' ') bytes of plain text."
	must_work coyeu seal -r "$ALICE" -r "$BOB" -o report.age report.txt
	say "The sealed file starts with a readable header: a stanza per recipient"
	say "(the file key, wrapped for that person; no names), then a MAC over the header:"
	awk '{ print "      | " $0 } /^--- / { exit }' report.age
	say "... then the encrypted content, in 64 KiB chunks each with its own authentication tag."
	grep -aq "^age-encryption.org/v1$" report.age || broken "report.age is not an age file"

	step "Alice opens it with her key: she gets the report back, byte for byte"
	must_work coyeu open -i alice.key -o alice-copy.txt report.age
	cmp -s report.txt alice-copy.txt || broken "Alice's copy differs from the report"
	say "alice-copy.txt is identical to report.txt (as expected)"

	step "Bob opens it with his key: the same report"
	must_work coyeu open -i bob.key -o bob-copy.txt report.age
	cmp -s report.txt bob-copy.txt || broken "Bob's copy differs from the report"
	say "bob-copy.txt is identical to report.txt (as expected)"

	step "Eve, who is not a recipient, makes her own key and tries to open it"
	must_work coyeu keygen -o eve.key
	must_refuse coyeu open -i eve.key -o eve-copy.txt report.age
	[ ! -e eve-copy.txt ] || broken "a file was written for Eve"
	say "Refused (as expected): her key matches none of the recipients, and no file was written."

	step "Someone changes a single byte in the middle of the sealed file; Bob tries to open it"
	cp report.age tampered.age
	size=$(wc -c <tampered.age | tr -d ' ')
	at=$((size * 2 / 3))
	printf 'X' | dd of=tampered.age bs=1 seek="$at" conv=notrunc status=none
	cmp -s report.age tampered.age && printf 'Y' |
	    dd of=tampered.age bs=1 seek="$at" conv=notrunc status=none
	say "(byte $at of $size changed)"
	must_refuse coyeu open -i bob.key -o bob-tampered.txt tampered.age
	[ ! -e bob-tampered.txt ] || broken "a file was written from the tampered copy"
	say "Refused (as expected): the damage is detected and nothing is written, not even the undamaged part."
}

# part SCRIPT TITLE STEP: a part of the demo kept in its own script, run on
# the shared folder $D/authority (each part leaves its files there for the
# next); skipped when the script is absent.
part() {
	[ -f "$SCRIPTS/$1" ] || return 0
	section "$2"
	step "$3"
	st=0
	sh "$SCRIPTS/$1" "$COYEU" "$D/authority" >"$D/.out" 2>&1 || st=$?
	sed 's/^/    /' "$D/.out"
	[ "$st" -eq 0 ] || broken "$1 failed (exit $st)"
}

section_authority() {
	part demo-authority.sh "Part 2: the certificate authority" \
	    "The authority hierarchy: roots, agencies, officers, refusals, revocation"
}

section_classified() {
	part demo-classified.sh "Part 3: classified documents" \
	    "A TỐI MẬT document sealed across agencies: opened by the cleared, refused otherwise"
}

section_register() {
	part demo-register.sh "Part 4: the register" \
	    "Every security event in a tamper-evident log that anyone entitled can check"
}

section_registry() {
	part demo-registry.sh "Part 5: the registry server" \
	    "coyeud: the city's registry online, officers' signed requests, the nation witnessing"
}

section_exchange() {
	part demo-exchange.sh "Part 6: documents through the registry" \
	    "Hồ Chí Minh City: a TỐI MẬT decision sent, opened, copied, recalled, destroyed; the law's registers"
}

section_pq() {
	part demo-pq.sh "Part 7: post-quantum TUYỆT MẬT" \
	    "A TUYỆT MẬT plan sealed post-quantum: an officer re-keyed and proven, a classical recipient refused"
}

section_inventory() {
	part demo-inventory.sh "Part 8: the inventory of cryptographic equipment" \
	    "The city's cipher store: tokens received and witnessed, one issued and lost (its certificate revoked), a device handed over, a stock-take"
}

main() {
	echo "coyeu demo — $("$COYEU" --version)"
	echo "(working in a scratch folder, removed at the end)"
	section_sealing
	section_authority
	section_classified
	section_register
	section_registry
	section_exchange
	section_pq
	section_inventory
	printf '\nAll %d steps behaved as expected.\n' "$STEP"
}

main
