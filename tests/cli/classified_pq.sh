#!/bin/sh
# Post-quantum classified documents from the command line (issue 12,
# docs/format.md "Post-quantum sealing"): officers with certified hybrid
# keys (id new, cert challenge, id prove, cert issue --pq-proof) and
# officers with classical ones; every level sealed to hybrid, classical
# and mixed sets says "post-quantum: yes/no" and opens; TUYỆT MẬT refuses
# a recipient without a hybrid key unless --allow-classical, which the
# label records; --classical; nothing is left behind on a refusal.
# shellcheck disable=SC2086
set -u
. "${SRCDIR:-.}/tests/cli/lib/common.sh"
C=$COYEU
cd "$T" || exit 1

# expect CODE DESC CMD…, then each of the words in stderr+stdout.
expect() {
	want=$1 desc=$2
	shift 2
	expect_status "$want" "$desc" "$@"
}
has() {
	if grep -qF -- "$2" "$T/stdout" "$T/stderr"; then ok; else
		bad "$1: lacks '$2': $(cat "$T/stderr" "$T/stdout" | head -c 600)"
	fi
}

$C authority init -o root.key --cert-out root.cert --name "Ban Cơ yếu" \
    --unit vn --unprotected >/dev/null 2>&1 || { bad "root"; finish; exit; }

. "${SRCDIR:-.}/tests/cli/lib/pqofficer.sh"
# officer NAME pq|classical: NAME.key, NAME.chain (TUYỆT MẬT, vn/hcm/b).
officer() {
	n=$1
	if [ "$2" = pq ]; then
		pq_officer "$n.key" "Cán bộ $n" vn/hcm/b root.key root.cert \
		    "$n.chain"
		return
	fi
	$C id new --classical --unprotected -o "$n.key" >/dev/null 2>&1 &&
	$C id request -k "$n.key" --name "Cán bộ $n" --unit vn/hcm/b \
	    -o "$n.req" >/dev/null 2>&1 &&
	$C cert issue -k root.key -c root.cert --role officer \
	    --clearance tuyet-mat -o "$n.chain" "$n.req" >/dev/null 2>&1
}
for n in sealer alice bob; do officer $n pq || bad "officer $n"; done
for n in carol dave; do officer $n classical || bad "officer $n"; done
grep -q "^seal-pq-key: age1pq1" alice.chain && ok ||
    bad "alice's certificate has no seal-pq-key"
grep -q "^seal-pq-key:" carol.chain && bad "carol's has one" || ok

SERIAL_CAROL=$(sed -n 's/^serial: //p' carol.chain | head -n 1)
echo "Văn bản tuyệt mật số 9" >doc.txt
mkdir o

# seal LEVEL OUT TO… [-- options]: as the sealer.
seal() {
	lvl=$1 out=$2
	shift 2
	to=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		to="$to --to $1.chain"
		shift
	done
	[ $# -gt 0 ] && shift
	run_st $C seal --level "$lvl" --doc "9/TM" -k sealer.key \
	    -c sealer.chain --trust root.cert $to "$@" -o "$out" doc.txt
}
# opens WHO FILE PQLINE: WHO opens FILE (its chain checked) and the
# summary says PQLINE.
opens() {
	run_st $C open -k "$1.key" -c "$1.chain" --trust root.cert \
	    -o "o/$1.txt" "$2"
	if [ "$st" -eq 0 ] && cmp -s doc.txt "o/$1.txt"; then ok; else
		bad "$1 opens $2: exit $st: $(head -c 400 "$T/stderr")"
	fi
	has "$1 opens $2" "$3"
	rm -f "o/$1.txt"
}
# stanzas FILE TYPE: every recipient stanza of FILE is TYPE.
stanzas() {
	kinds=$(grep -a '^-> ' "$1" | grep -av 'coyeu.v1/label' |
	    cut -d' ' -f2 | sort -u)
	[ "$kinds" = "$2" ] && ok || bad "$1: stanzas '$kinds', not $2"
}

for lvl in mat toi-mat tuyet-mat; do
	seal $lvl $lvl-h.age alice bob
	[ "$st" -eq 0 ] && ok || bad "$lvl hybrid: $(cat "$T/stderr")"
	has "$lvl hybrid" "post-quantum: yes (mlkem768x25519)"
	stanzas $lvl-h.age mlkem768x25519
	opens alice $lvl-h.age "post-quantum:   yes (mlkem768x25519)"
	opens bob $lvl-h.age "post-quantum:   yes (mlkem768x25519)"
done
for lvl in mat toi-mat; do
	seal $lvl $lvl-m.age alice carol
	[ "$st" -eq 0 ] && ok || bad "$lvl mixed: $(cat "$T/stderr")"
	has "$lvl mixed" "post-quantum: no (recipient Cán bộ carol (serial $SERIAL_CAROL) has no post-quantum sealing key)"
	stanzas $lvl-m.age X25519
	opens alice $lvl-m.age "post-quantum:   no (classical)"
	opens carol $lvl-m.age "post-quantum:   no (classical)"
	seal $lvl $lvl-c.age carol dave
	has "$lvl classical" "and 1 other have no post-quantum sealing key"
	stanzas $lvl-c.age X25519
	opens dave $lvl-c.age "post-quantum:   no (classical)"
done

# TUYỆT MẬT to a classical officer: refused, nothing written.
for set in "alice carol" "carol dave"; do
	seal tuyet-mat o/refused.age $set
	[ "$st" -eq 1 ] && ok || bad "TUYỆT MẬT to '$set': exit $st"
	has "TUYỆT MẬT to '$set'" "recipient Cán bộ carol (serial $SERIAL_CAROL) has no post-quantum sealing key: TUYỆT MẬT is sealed post-quantum; have the officer re-keyed (coyeu id add-pq, cert challenge/prove/issue) or seal with --allow-classical"
	[ -z "$(ls -A o)" ] && ok || bad "left behind: $(ls -A o)"
done
# ... unless the sealer allows it: classical, recorded, opens.
seal tuyet-mat tm-allowed.age alice carol -- --allow-classical
[ "$st" -eq 0 ] && ok || bad "--allow-classical: $(cat "$T/stderr")"
has "--allow-classical" "post-quantum: no (recipient Cán bộ carol"
stanzas tm-allowed.age X25519
opens carol tm-allowed.age "post-quantum:   no (classical: allowed by the sealer)"
opens alice tm-allowed.age "post-quantum:   no (classical: allowed by the sealer)"
# --allow-classical to hybrid recipients changes nothing.
seal tuyet-mat tm-h2.age alice bob -- --allow-classical
has "--allow-classical, all hybrid" "post-quantum: yes (mlkem768x25519)"
stanzas tm-h2.age mlkem768x25519

# --classical: where allowed, and at TUYỆT MẬT only with --allow-classical.
seal toi-mat tm-forced.age alice bob -- --classical
has "--classical" "post-quantum: no (classical sealing was asked for)"
stanzas tm-forced.age X25519
opens bob tm-forced.age "post-quantum:   no (classical)"
seal tuyet-mat o/refused.age alice bob -- --classical
[ "$st" -eq 2 ] || [ "$st" -eq 1 ] && ok || bad "--classical at TUYỆT MẬT: exit $st"
has "--classical at TUYỆT MẬT" "TUYỆT MẬT is sealed post-quantum: sealing it classically needs --allow-classical"
[ -z "$(ls -A o)" ] && ok || bad "left behind: $(ls -A o)"

# The hybrid stanza needs the key's hybrid part: Alice's age identity
# with only the X25519 line does not open the post-quantum file.
run_st $C id age-identity --classical -k alice.key -o alice.x25519
run_st $C open -i alice.x25519 --no-verify -o o/x.txt toi-mat-h.age
[ "$st" -ne 0 ] && ok || bad "the X25519 identity opened a hybrid file"
run_st $C id age-identity --pq -k alice.key -o alice.pq
run_st $C open -i alice.pq --no-verify -o o/pq.txt toi-mat-h.age
[ "$st" -eq 0 ] && cmp -s doc.txt o/pq.txt && ok ||
    bad "the hybrid identity: exit $st: $(head -c 300 "$T/stderr")"
rm -f o/*

finish
