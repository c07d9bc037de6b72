#!/bin/sh
# coyeu keyring: an agency issues officers An and Bình; each sets up a
# keyring with init and add, and they seal and open with no file
# arguments.  Explicit options win over the keyring; --to takes a serial or
# a name; ambiguous and unknown names, a revoked officer, foreign and forged
# files and a keyring open to others are refused with their exit codes and
# messages.
# Option lists ($C, $P, $W) are split on purpose; "a && ok || bad" reads
# "bad unless both hold":
# shellcheck disable=SC2086,SC2015
. "${SRCDIR:-.}/tests/cli/lib/expect.sh"
P="--passphrase-file $T/pass"
W="--work-factor 10"
printf 'mật khẩu\n' >"$T/pass"
A=$T/an-keyring
B=$T/binh-keyring
unset XDG_CONFIG_HOME

# as KEYRING CMD...: CMD with that keyring.
as() { _home=$1; shift; COYEU_HOME=$_home "$@"; }
# json_get FILE EXPR: a value from a JSON file, d being the document.
json_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
# serial NAME: the serial of the leaf of $T/NAME.chain (or of $T/NAME.cert).
serial() {
	_f=$T/$1.chain
	[ -f "$_f" ] || _f=$T/$1.cert
	sed -n 's/^serial: //p' "$_f" | head -n 1
}

# ---- the agency and its officers ----
as "$T/none" $C authority init -o "$T/root.key" --cert-out "$T/root.cert" \
	--name "Ban Cơ yếu Chính phủ" --unit vn $P $W >/dev/null 2>&1
as "$T/none" $C authority init -o "$T/other.key" --cert-out "$T/other.cert" \
	--name "Kẻ mạo danh" --unit vn $P $W >/dev/null 2>&1
as "$T/none" $C id new -o "$T/vptu.key" $P $W >/dev/null
as "$T/none" $C id request -k "$T/vptu.key" $P --name "Văn phòng Thành ủy" \
	--unit vn/hcm/vptu -o "$T/vptu.req"
as "$T/none" $C cert issue -k "$T/root.key" -c "$T/root.cert" $P \
	--role authority --clearance tuyet-mat -o "$T/vptu.chain" \
	"$T/vptu.req" >/dev/null
# issue NAME LEVEL: the agency certifies $T/NAME.req into $T/NAME.chain.
issue() {
	as "$T/none" $C cert issue -k "$T/vptu.key" -c "$T/vptu.chain" $P \
		--role officer --clearance "$2" -o "$T/$1.chain" "$T/$1.req" >/dev/null
}

expect 0 "created $A/key" "id new without -o creates the keyring's key" \
	as "$A" $C id new $P $W
[ "$(stat -c %a "$A")" = 700 ] && ok "the keyring is 0700" || bad "keyring mode"
[ "$(stat -c %a "$A/key")" = 600 ] && ok "its key is 0600" || bad "key mode"
grep -q '^age1' "$A/key.pub" && ok "key.pub holds the sealing key" ||
	bad "no key.pub"
expect 1 "the keyring already holds a key ($A/key)" \
	"a second id new never replaces the keyring's key" as "$A" $C id new $P $W
expect 0 "" "id request signs with the keyring's key" \
	as "$A" $C id request --name "Nguyễn Văn An" --unit vn/hcm/vptu $P \
	-o "$T/an.req"
issue an toi-mat
as "$B" $C id new $P $W >/dev/null 2>&1
as "$B" $C id request --name "Trần Thị Bình" --unit vn/hcm/vptu $P -o "$T/binh.req"
issue binh toi-mat
# Two officers of one name, in two units, whose keys live outside keyrings.
for d in dung1:vn/hcm/vptu/a dung2:vn/hcm/vptu/b; do
	as "$T/none" $C id new -o "$T/${d%%:*}.key" $P $W >/dev/null
	as "$T/none" $C id request -k "$T/${d%%:*}.key" $P --name "Phạm Văn Dũng" \
		--unit "${d#*:}" -o "$T/${d%%:*}.req"
	issue "${d%%:*}" toi-mat
done
as "$T/none" $C id new -o "$T/alien.key" $P $W >/dev/null
as "$T/none" $C id request -k "$T/alien.key" $P --name "Nguyễn Văn An" \
	--unit vn/hcm/vptu -o "$T/alien.req"
as "$T/none" $C cert issue -k "$T/other.key" -c "$T/other.cert" $P \
	--role officer --clearance toi-mat -o "$T/alien.chain" "$T/alien.req" >/dev/null

# ---- init ----
expect 1 "the keyring pins no root yet ($A/root.cert)" \
	"add before init is refused" as "$A" $C keyring add "$T/an.chain"
expect 2 "give --trust ROOT.cert" "init without --trust" as "$A" $C keyring init
expect 1 "is not a root certificate" "init refuses a chain that is no root" \
	as "$A" $C keyring init --trust "$T/vptu.chain"
expect 0 "pinned the root Ban Cơ yếu Chính phủ" "init pins the root" \
	as "$A" $C keyring init --trust "$T/root.cert"
cmp -s "$A/root.cert" "$T/root.cert" && ok "root.cert is the root" ||
	bad "root.cert differs"
expect 0 "already pins Ban Cơ yếu Chính phủ" "init again is a no-op" \
	as "$A" $C keyring init --trust "$T/root.cert"
expect 1 "already pins another root, Ban Cơ yếu Chính phủ" \
	"init refuses to replace a different root" \
	as "$A" $C keyring init --trust "$T/other.cert"
cmp -s "$A/root.cert" "$T/root.cert" && ok "the pinned root stayed" ||
	bad "the pinned root changed without --force"
expect 0 "pinned the root Kẻ mạo danh" "init --force replaces it" \
	as "$A" $C keyring init --trust "$T/other.cert" --force
expect 0 "pinned the root Ban Cơ yếu Chính phủ" "and back" \
	as "$A" $C keyring init --trust "$T/root.cert" --force

# ---- add ----
expect 0 "added as your chain (Nguyễn Văn An" "add: the own chain" \
	as "$A" $C keyring add "$T/an.chain"
cmp -s "$A/chain" "$T/an.chain" && ok "it is the keyring's chain" ||
	bad "chain not stored"
expect 0 "added as a known officer (Trần Thị Bình" "add: other officers" \
	as "$A" $C keyring add "$T/binh.chain" "$T/dung1.chain" "$T/dung2.chain"
[ -f "$A/certs/$(serial binh).chain" ] && ok "certs/ holds Bình by serial" ||
	bad "no certs/SERIAL.chain"
expect 0 "already in the keyring" "adding again changes nothing" \
	as "$A" $C keyring add "$T/binh.chain"
expect 1 "a certificate request" "add refuses a request" \
	as "$A" $C keyring add "$T/an.req"
expect 1 "an age file (a sealed document or a protected key)" \
	"add refuses a key file" as "$A" $C keyring add "$T/vptu.key"
as "$T/none" $C id new -o "$T/svc.key" --unprotected >/dev/null 2>&1
expect 1 "a secret key file" "add refuses an unprotected key" \
	as "$A" $C keyring add "$T/svc.key"
grep -qF "$(sed -n 's/^sign: //p' "$T/svc.key")" "$T/out" "$T/err" &&
	bad "the refusal shows the secret" || ok "nothing of the key is printed"
printf 'hello\n' >"$T/junk"
expect 1 "neither a certificate chain nor a revocation list" \
	"add refuses anything else" as "$A" $C keyring add "$T/junk"
expect 1 "refused: certificate 1 (serial $(serial alien))" \
	"add refuses a chain of another root" as "$A" $C keyring add "$T/alien.chain"
[ ! -e "$A/certs/$(serial alien).chain" ] && ok "and stores nothing" ||
	bad "the foreign chain was stored"
expect 1 "a root certificate, not the pinned one" \
	"add refuses another root" as "$A" $C keyring add "$T/other.cert"

as "$B" $C keyring init --trust "$T/root.cert" >/dev/null
expect 0 "added as a known officer (Nguyễn Văn An" "Bình's keyring" \
	as "$B" $C keyring add "$T/an.chain" "$T/binh.chain"
grep -q "added as your chain (Trần Thị Bình" "$T/out" && ok "Bình's own chain" ||
	bad "Bình's chain not recognised as hers"

# ---- daily use: no file arguments ----
printf 'QUYẾT ĐỊNH số 1/QĐ-VPTU\n' >"$T/doc.txt"
expect 0 "sealed TỐI MẬT document 1/QĐ-VPTU" "seal with the keyring, --to by name" \
	as "$A" $C seal --level toi-mat --doc 1/QĐ-VPTU --to "Trần Thị Bình" $P \
	-o "$T/doc.age" "$T/doc.txt"
expect 0 "sealed by:      Nguyễn Văn An" "open with the keyring" \
	as "$B" $C open $P -o "$T/doc.out" "$T/doc.age"
cmp -s "$T/doc.out" "$T/doc.txt" && ok "the text comes back" || bad "text differs"
expect 0 "sealed by:      Nguyễn Văn An" "inspect --label with the keyring" \
	as "$B" $C inspect --label $P "$T/doc.age"
expect 0 "outer mark: B" "inspect without a key shows the mark only" \
	as "$B" $C inspect "$T/doc.age"
expect 0 "sealed TỐI MẬT document 2" "--to by serial (upper case too)" \
	as "$A" $C seal --level toi-mat --doc 2 \
	--to "$(serial binh | tr a-f A-F)" --to "$(serial an)" $P \
	-o "$T/doc2.age" "$T/doc.txt"
expect 0 "recipient 2:    $(serial an)" "An opens what he sealed to himself" \
	as "$A" $C open $P -o "$T/doc2.out" "$T/doc2.age"
expect 0 "verified: Trần Thị Bình" "cert verify by name with the keyring's root" \
	as "$A" $C cert verify "Trần Thị Bình"
expect 1 "not sealed to you" "the keyring's key is not a recipient's" \
	as "$A" $C open $P -o "$T/x.out" "$T/doc.age"
expect 0 "" "log entry signs with the keyring's key" \
	as "$A" $C log entry --type cert.revoke actor="$(serial an)" \
	serial="$(serial dung2)" reason=superseded $P -o "$T/entry"
grep -qxF "actor-key: $(sed -n 's/^sign-key: //p' "$T/an.chain" | head -n 1)" \
	"$T/entry" && ok "the entry carries An's signing key" ||
	bad "entry: $(cat "$T/entry")"

# ---- --to refused ----
expect 1 "--to 'Phạm Văn Dũng' matches 2 certificates in the keyring" \
	"an ambiguous name" as "$A" $C seal --level toi-mat --doc 3 \
	--to "Phạm Văn Dũng" $P -o "$T/x.age" "$T/doc.txt"
grep -q "$(serial dung1)" "$T/err" && grep -q "$(serial dung2)" "$T/err" &&
	ok "the candidates are listed" || bad "candidates not listed"
expect 1 "matches 2 certificates" "an ambiguous unit" \
	as "$A" $C seal --level toi-mat --doc 3 --to vn/hcm/vptu $P \
	-o "$T/x.age" "$T/doc.txt"
expect 1 "--to 'Lê Văn Không': no such file, and no certificate in the keyring has that serial, name or unit" \
	"an unknown name" as "$A" $C seal --level toi-mat --doc 3 \
	--to "Lê Văn Không" $P -o "$T/x.age" "$T/doc.txt"
grep -q "$(serial binh)" "$T/err" && ok "what the keyring knows is listed" ||
	bad "no candidates for an unknown name"
[ ! -e "$T/x.age" ] && ok "no file left by a refusal" || bad "x.age written"

# ---- explicit options win ----
expect 0 "sealed TỐI MẬT document 4" "-k and -c override the keyring" \
	as "$A" $C seal --level toi-mat --doc 4 -k "$T/dung1.key" \
	-c "$T/dung1.chain" --to "$T/binh.chain" $P -o "$T/doc4.age" "$T/doc.txt"
expect 0 "sealed by:      Phạm Văn Dũng" "so Dũng, not An, sealed it" \
	as "$B" $C open $P -o "$T/doc4.out" "$T/doc4.age"
expect 1 "sealer refused" "--trust overrides the keyring's root" \
	as "$A" $C seal --level toi-mat --doc 5 --trust "$T/other.cert" \
	--to "Trần Thị Bình" $P -o "$T/x.age" "$T/doc.txt"
expect 1 "sealer: certificate 2" "open --trust overrides the keyring's root" \
	as "$B" $C open --trust "$T/other.cert" $P -o "$T/x.out" "$T/doc.age"
expect 1 "sealer refused (-k $T/dung1.key, -c $A/chain): the signing key does not belong" \
	"-k alone pairs with the keyring's chain" \
	as "$A" $C seal --level toi-mat --doc 6 -k "$T/dung1.key" \
	--to "Trần Thị Bình" $P -o "$T/x.age" "$T/doc.txt"
expect 0 "sealed by:      Nguyễn Văn An" "open -k overrides the keyring's key" \
	as "$T/none" $C open -k "$B/key" --trust "$T/root.cert" $P \
	-o "$T/doc5.out" "$T/doc.age"

# ---- neither option nor keyring ----
E=$T/empty
expect 2 "no key: give -k KEY, or create one in the keyring with 'coyeu id new' ($E/key)" \
	"no key anywhere" as "$E" $C seal --level mat --doc 7 --to "$T/binh.chain" \
	"$T/doc.txt"
expect 2 "no certificate chain: give -c CHAIN, or add yours to the keyring with 'coyeu keyring add CHAIN' ($E/chain)" \
	"no chain anywhere" as "$E" $C seal --level mat --doc 7 -k "$T/dung1.key" \
	--to "$T/binh.chain" "$T/doc.txt"
expect 2 "no trusted root: give --trust ROOT, or pin one in the keyring with 'coyeu keyring init --trust ROOT.cert' ($E/root.cert)" \
	"no root anywhere" as "$E" $C seal --level mat --doc 7 -k "$T/dung1.key" \
	-c "$T/dung1.chain" --to "$T/binh.chain" "$T/doc.txt"
expect 2 "no trusted root: give --trust ROOT" "cert verify needs a root" \
	as "$E" $C cert verify "$T/binh.chain"
expect 2 "no key: give -k KEY" "id request needs a key" \
	as "$E" $C id request --name X --unit vn
expect 1 "the keyring ($E) knows no certificates" "--to a name without a keyring" \
	as "$E" $C seal --level mat --doc 7 -k "$T/dung1.key" -c "$T/dung1.chain" \
	--trust "$T/root.cert" --to "Trần Thị Bình" $P "$T/doc.txt"
[ ! -e "$E" ] && ok "nothing creates a keyring but id new and init" ||
	bad "a keyring appeared"

# ---- revocation through the keyring ----
as "$T/none" $C cert revoke -k "$T/vptu.key" -c "$T/vptu.chain" $P \
	--serial "$(serial binh)" --reason left-unit --crl "$T/vptu.crl" >/dev/null
cp "$T/vptu.crl" "$T/vptu-1.crl"
expect 0 "added as the revocation list of Văn phòng Thành ủy (sequence 1, 1 revoked)" \
	"add a revocation list" as "$A" $C keyring add "$T/vptu.crl"
[ -f "$A/crl/$(serial vptu).crl" ] && ok "crl/ holds it by issuer serial" ||
	bad "no crl/ISSUER.crl"
expect 1 "--to Trần Thị Bình: certificate 1 (serial $(serial binh)): revoked" \
	"a revoked officer is refused" as "$A" $C seal --level toi-mat --doc 8 \
	--to "Trần Thị Bình" $P -o "$T/x.age" "$T/doc.txt"
expect 1 "revoked" "cert verify uses the keyring's lists" \
	as "$A" $C cert verify "$(serial binh)"
as "$T/none" $C cert revoke -k "$T/vptu.key" -c "$T/vptu.chain" $P \
	--serial "$(serial dung2)" --crl "$T/vptu.crl" >/dev/null
expect 0 "sequence 2, 2 revoked" "a newer list replaces the older" \
	as "$A" $C keyring add "$T/vptu.crl"
expect 1 "older (sequence 1) than the list the keyring holds (sequence 2)" \
	"an older list is refused" as "$A" $C keyring add "$T/vptu-1.crl"
sed 's/^sequence: 2$/sequence: 3/' "$T/vptu.crl" >"$T/forged.crl"
expect 1 "refused" "a forged list is refused" as "$A" $C keyring add "$T/forged.crl"
grep -q "signature" "$T/err" && ok "for its signature" || bad "forged: $(cat "$T/err")"
as "$T/none" $C cert revoke -k "$T/other.key" -c "$T/other.cert" $P \
	--serial "$(serial alien)" --crl "$T/other.crl" >/dev/null
expect 1 "its authority (serial $(serial other)) is in no chain the keyring holds" \
	"a list of an unknown authority" as "$A" $C keyring add "$T/other.crl"
expect 1 "revoked by $(serial vptu)" \
	"an explicit --crl adds to the keyring's lists, never replaces them" \
	as "$A" $C cert verify --crl "$T/other.crl" "$(serial binh)"
expect 0 "verified: Trần Thị Bình" "--no-keyring-crls uses only the --crl lists" \
	as "$A" $C cert verify --no-keyring-crls --crl "$T/other.crl" "$(serial binh)"
expect 1 "" "a good file and a bad one: exit 1" \
	as "$B" $C keyring add "$T/junk" "$T/vptu.crl"
grep -qF "added as the revocation list" "$T/out" && ok "the good one is added" ||
	bad "the good file was not added"
expect 1 "keyring add $T/binh.chain: refused: certificate 1" \
	"Bình cannot add her own chain once revoked" as "$B" $C keyring add "$T/binh.chain"

# ---- list ----
expect 0 "Trần Thị Bình, vn/hcm/vptu, TỐI MẬT (toi-mat), serial $(serial binh)" \
	"list names the known officers" as "$A" $C keyring list
grep -q "revoked (certificate 1" "$T/out" && ok "list marks Bình revoked" ||
	bad "list: no revoked mark"
grep -q "^you:      Nguyễn Văn An" "$T/out" && ok "list shows who you are" ||
	bad "list: no own identity"
expect 0 "" "list --json" as "$A" $C keyring list --json
cp "$T/out" "$T/list.json"
[ "$(json_get "$T/list.json" 'd["self"]["certificate"]["name"]')" = "Nguyễn Văn An" ] &&
	[ "$(json_get "$T/list.json" 'd["root"]["name"]')" = "Ban Cơ yếu Chính phủ" ] &&
	[ "$(json_get "$T/list.json" 'len(d["officers"])')" = 3 ] &&
	[ "$(json_get "$T/list.json" '[o["revoked"] for o in d["officers"] if o["certificate"]["name"]=="Trần Thị Bình"][0]')" = True ] &&
	[ "$(json_get "$T/list.json" 'd["crls"][0]["sequence"]')" = 2 ] &&
	[ "$(json_get "$T/list.json" 'd["key"]["seal_key"]')" = "$(grep age1 "$A/key.pub")" ] &&
	ok "list --json is valid JSON with self, root, officers, lists" ||
	bad "list --json: $(head -c 300 "$T/list.json")"
grep -q "AGE-SECRET-KEY\|sign: " "$T/list.json" && bad "list shows a secret" ||
	ok "list shows no secret"

# ---- remove ----
expect 0 "removed Phạm Văn Dũng, vn/hcm/vptu/b" "remove by serial" \
	as "$A" $C keyring remove "$(serial dung2)"
[ ! -e "$A/certs/$(serial dung2).chain" ] && ok "the file is gone" ||
	bad "remove left the file"
expect 1 "keyring remove '$(serial dung2)': no certificate in the keyring has that serial" \
	"remove an unknown serial" as "$A" $C keyring remove "$(serial dung2)"
expect 1 "that is your own chain" "remove refuses the own chain" \
	as "$A" $C keyring remove "$(serial an)"
expect 0 "sealed TỐI MẬT document 9" "Dũng is no longer ambiguous" \
	as "$A" $C seal --level toi-mat --doc 9 --to "Phạm Văn Dũng" $P \
	-o "$T/doc9.age" "$T/doc.txt"

# ---- a keyring others can open is not used ----
chmod 755 "$A"
expect 1 "keyring $A is open to others (mode 755): it is not used; run chmod 700 $A" \
	"seal refuses an open keyring" as "$A" $C seal --level toi-mat --doc 10 \
	--to "Trần Thị Bình" $P -o "$T/x.age" "$T/doc.txt"
expect 1 "run chmod 700 $A" "list refuses it" as "$A" $C keyring list
expect 1 "run chmod 700 $A" "open refuses it" as "$A" $C open $P "$T/doc2.age"
expect 1 "run chmod 700 $A" "its lists are needed beside --crl" \
	as "$A" $C open -k "$B/key" --trust "$T/root.cert" --crl "$T/vptu-1.crl" \
	$P -o "$T/doc6.out" "$T/doc4.age"
expect 0 "sealed by:      Phạm Văn Dũng" "explicit options do without it" \
	as "$A" $C open -k "$B/key" --trust "$T/root.cert" --crl "$T/vptu-1.crl" \
	--no-keyring-crls \
	$P -o "$T/doc6.out" "$T/doc4.age"
chmod 700 "$A"
chmod 640 "$A/key"
expect 1 "readable by others" "a key others may read is refused" \
	as "$A" $C seal --level toi-mat --doc 10 --to "$(serial dung1)" $P \
	-o "$T/x.age" "$T/doc.txt"
chmod 600 "$A/key"

# ---- a key put in by hand, and a keyring without a root ----
D=$T/d-keyring
mkdir -m 700 "$D"
as "$T/none" $C id new -o "$D/key" $P $W >/dev/null
as "$D" $C id request --name "Lê Thị Dung" --unit vn/hcm/vptu $P -o "$T/d.req"
issue d toi-mat
as "$A" $C seal --level toi-mat --doc 11 --to "$T/d.chain" $P \
	-o "$T/doc11.age" "$T/doc.txt" 2>/dev/null
expect 1 "give --trust ROOT, or pin one in the keyring with 'coyeu keyring init --trust ROOT.cert' ($D/root.cert)" \
	"open without any root says both ways" as "$D" $C open $P "$T/doc11.age"
as "$D" $C keyring init --trust "$T/root.cert" >/dev/null
expect 0 "added as your chain (Lê Thị Dung" "add learns a hand-placed key's public key" \
	as "$D" $C keyring add $P "$T/d.chain"
grep -q '^age1' "$D/key.pub" && ok "and writes key.pub" || bad "no key.pub"
expect 0 "sealed by:      Nguyễn Văn An" "Dung opens with her keyring" \
	as "$D" $C open $P -o "$T/doc11.out" "$T/doc11.age"

# ---- plain age beside the keyring ----
printf 'plain\n' >"$T/plain.txt"
as "$A" $C seal $P -o "$T/plain.age" "$T/plain.txt"
expect 0 "" "a passphrase file still opens by passphrase" \
	as "$A" $C open $P -o "$T/plain.out" "$T/plain.age"
cmp -s "$T/plain.out" "$T/plain.txt" && ok "plain text back" || bad "plain differs"
expect 0 "" "id age-identity from the keyring's key" \
	as "$B" $C id age-identity $P -o "$T/binh.agekey"
expect 1 "open it with -k KEY" "open -i refuses a classified document" \
	as "$A" $C open -i "$T/binh.agekey" -o "$T/doc7.out" "$T/doc.age"
expect 0 "NOT verified" "open -i --no-verify takes the identity file, not the keyring" \
	as "$A" $C open -i "$T/binh.agekey" --no-verify -o "$T/doc7.out" "$T/doc.age"
cmp -s "$T/doc7.out" "$T/doc.txt" && ok "the X25519 part opens" || bad "doc7 differs"

# ---- where the keyring is ----
expect 1 "no keyring at $T/xdg/coyeu" "XDG_CONFIG_HOME without COYEU_HOME" \
	env -u COYEU_HOME XDG_CONFIG_HOME="$T/xdg" $C keyring list
expect 0 "created $T/home/.config/coyeu/key" "HOME without the others" \
	env -u COYEU_HOME -u XDG_CONFIG_HOME HOME="$T/home" $C id new $P $W
[ "$(stat -c %a "$T/home/.config/coyeu")" = 700 ] &&
	ok "HOME/.config/coyeu is created 0700" || bad "HOME keyring mode"

# ---- usage ----
for cmd in init add list remove; do
	expect 0 "usage: coyeu keyring $cmd" "keyring $cmd --help" \
		$C keyring $cmd --help
done
expect 2 "unknown command" "an unknown sub-command" $C keyring frobnicate
expect 2 "give the FILEs to add" "add without files" as "$A" $C keyring add
expect 2 "give one SERIAL" "remove without a serial" as "$A" $C keyring remove

echo "keyring: $fails failed"
[ "$fails" -eq 0 ]
