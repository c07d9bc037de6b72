#!/bin/sh
# Usage errors (issue 8, items 3 and 10).
#
# 1. A table of command lines that are wrong in themselves: each exits 2
#    with a message naming the option, and before any work: the key file,
#    the input and the other files it names do not exist, are never
#    mentioned, and the output file is never created.
# 2. --to NAME against a planted file: a file in the current folder named
#    like a known officer's name or serial, holding another officer's
#    chain, makes --to ambiguous (exit 2, nothing written); ./NAME takes
#    the file; seal names every recipient (name, unit, serial).
#
# Option lists ($P, $W) are split on purpose:
# shellcheck disable=SC2086
. "${SRCDIR:-.}/tests/cli/lib/common.sh"
set -u
P="--passphrase-file $T/pass"
W="--work-factor 10"
printf 'mật khẩu\n' >"$T/pass"
unset XDG_CONFIG_HOME
export COYEU_HOME="$T/keyring"

NOKEY=$T/no-such.key
NOCHAIN=$T/no-such.chain
NOIN=$T/no-such-input
NOFILE=$T/no-such-file
NEVER=$T/never.out
AGE1=age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p
LONG=$(printf '%0129d' 0)

# ---- 1. usage errors come first ----
# Each line: exit status | a fragment of the error | the command line
# (after "coyeu", split by the shell).
while IFS='|' read -r want frag line; do
	case $want in '#'*|'') continue ;; esac
	eval "set -- $line"
	rm -f "$NEVER"
	run_st "$COYEU" "$@"
	desc="coyeu $line"
	if [ "$st" -ne "$want" ]; then
		bad "$desc: exit $st, expected $want: $(head -c 300 "$T/stderr")"
		continue
	fi
	if grep -qF -- "$frag" "$T/stderr"; then ok; else
		bad "$desc: stderr lacks '$frag': $(head -c 300 "$T/stderr")"
	fi
	if grep -qF -e "$NOKEY" -e "$NOCHAIN" -e "$NOIN" -e "$NOFILE" "$T/stderr"
	then
		bad "$desc: work before the usage error: $(head -c 300 "$T/stderr")"
	else
		ok
	fi
	[ ! -e "$NEVER" ] && ok || bad "$desc: $NEVER was created"
	[ ! -s "$T/stdout" ] && ok || bad "$desc: wrote to standard output"
done <<EOF
# --doc: checked by the library's rule, before the keys are read
2|--doc: the document number is empty|seal --level mat --doc '' -k $NOKEY -c $NOCHAIN --trust $NOFILE --to x -o $NEVER $NOIN
2|--doc: the document number has 129 bytes, more than 128|seal --level mat --doc $LONG -k $NOKEY -c $NOCHAIN --trust $NOFILE --to x -o $NEVER $NOIN
2|--doc: space at the start or end|seal --level mat --doc ' 12/QĐ' -k $NOKEY -c $NOCHAIN --trust $NOFILE --to x -o $NEVER $NOIN
2|--copy: invalid copy '2/1 sao-y'|seal --level mat --doc 1 --copy '2/1 sao-y' -k $NOKEY -c $NOCHAIN --trust $NOFILE --to x -o $NEVER $NOIN
2|--copy: invalid copy 'bản sao'|seal --level mat --doc 1 --copy 'bản sao' -k $NOKEY -c $NOCHAIN --trust $NOFILE --to x -o $NEVER $NOIN
2|--level: unknown level 'secret'|seal --level secret --doc 1 -k $NOKEY --to x -o $NEVER $NOIN
2|--compartments: |seal --level mat --doc 1 --compartments 'A B' -k $NOKEY --to x -o $NEVER $NOIN
2|--protect-until|seal --level mat --doc 1 --protect-until 2999-01-01 -k $NOKEY --to x -o $NEVER $NOIN
2|--to: the recipient is empty|seal --level mat --doc 1 -k $NOKEY -c $NOCHAIN --to '' -o $NEVER $NOIN
2|-o: the path is empty|seal --level mat --doc 1 -k $NOKEY -c $NOCHAIN --to x -o '' $NOIN
2|a classified seal needs --level, --doc|seal --doc 1 -k $NOKEY --to x -o $NEVER $NOIN
# options of the other mode are refused, naming both
2|--crl does not go with -r|seal -r $AGE1 --crl $NOFILE -o $NEVER $NOIN
2|--level does not go with -r|seal -r $AGE1 --level mat -o $NEVER $NOIN
2|--to does not go with -R|seal -R $NOFILE --to x -o $NEVER $NOIN
2|-k does not go with -p|seal -p -k $NOKEY -o $NEVER $NOIN
2|--allow-mixed-pq does not go with --level|seal --level mat --doc 1 --to x --allow-mixed-pq -k $NOKEY -o $NEVER $NOIN
2|--allow-mixed-pq does not go with -p|seal -p --allow-mixed-pq -o $NEVER $NOIN
2|-p does not go with -r|seal -p -r $AGE1 -o $NEVER $NOIN
2|-r: |seal -r age1notakey -R $NOFILE -o $NEVER $NOIN
2|-o: the path is empty|seal -r $AGE1 -R $NOFILE -o '' $NOIN
2|-j takes a number of threads from 1 to 64|seal -r $AGE1 -R $NOFILE -j 0 -o $NEVER $NOIN
# open
2|-o: the path is empty|open -o '' -k $NOKEY --trust $NOFILE $NOIN
2|-o: the path is empty|open -o '' -i $NOKEY $NOIN
2|-k does not go with -i|open -k $NOKEY -i $NOFILE -o $NEVER $NOIN
2|--trust does not go with -i|open -i $NOKEY --trust $NOFILE -o $NEVER $NOIN
2|--crl does not go with -i|open -i $NOKEY --crl $NOFILE -o $NEVER $NOIN
2|-j takes a number of threads from 1 to 64|open -i $NOKEY -j 65 -o $NEVER $NOIN
# inspect: what only the label needs
2|--trust does not go with|inspect --trust $NOFILE $NOIN
2|--passphrase-file does not go with|inspect --passphrase-file $NOFILE $NOIN
# id request: the library's unit and name rules, before the key
2|--unit: bad unit path 'vn/../x'|id request -k $NOKEY --name 'Nguyễn Văn An' --unit vn/../x -o $NEVER
2|--name: the name must have 1 to 256 bytes|id request -k $NOKEY --name '' --unit vn/hcm -o $NEVER
2|-o: the path is empty|id request -k $NOKEY --name An --unit vn/hcm -o ''
# cert revoke
2|--serial: 'XYZ' is not a certificate serial|cert revoke -k $NOKEY -c $NOCHAIN --serial XYZ --crl $NEVER
2|--reason: 'Key Compromise'|cert revoke -k $NOKEY -c $NOCHAIN --serial 0123456789abcdef0123456789abcdef --reason 'Key Compromise' --crl $NEVER
2|--since: a revocation takes effect now or in the past|cert revoke -k $NOKEY -c $NOCHAIN --serial 0123456789abcdef0123456789abcdef --since 2999-01-01 --crl $NEVER
2|--crl: the path is empty|cert revoke -k $NOKEY -c $NOCHAIN --serial 0123456789abcdef0123456789abcdef --crl ''
# every output option
2|-o: the path is empty|keygen -o ''
2|-o: the path is empty|id new -o '' $P
2|-o: the path is empty|id age-identity -k $NOKEY -o ''
2|--cert-out: the path is empty|authority init -o $NEVER --cert-out '' --name X --unit vn $P
2|-o: the path is empty|authority init -o '' --cert-out $NEVER --name X --unit vn $P
2|--unit: bad unit path 'VN'|authority init -o $NEVER --cert-out $NOFILE --name X --unit VN $P
2|-o: the path is empty|cert issue -k $NOKEY -c $NOCHAIN --role officer --clearance mat -o '' $NOIN
2|--type: unknown entry type 'bogus'|log entry --type bogus -k $NOKEY -o $NEVER
2|-o: the path is empty|log entry --type cert.revoke -k $NOKEY -o ''
EOF
[ ! -e "$COYEU_HOME" ] && ok || bad "a usage error created the keyring"

# ---- 2. --to and a planted file ----
as() { _h=$1; shift; COYEU_HOME=$_h "$@"; }
serial() { sed -n 's/^serial: //p' "$T/$1.chain" | head -n 1; }
N=$T/none
as "$N" "$COYEU" authority init -o "$T/root.key" --cert-out "$T/root.cert" \
	--name "Ban Cơ yếu" --unit vn $P $W >/dev/null 2>&1
# officer NAME KEYFILE UNIT: a key, a request and a chain $T/NAME.chain.
officer() {
	as "$N" "$COYEU" id new -o "$3" $P $W >/dev/null 2>&1
	as "$N" "$COYEU" id request -k "$3" $P --name "$2" --unit "$4" \
		-o "$T/$1.req"
	as "$N" "$COYEU" cert issue -k "$T/root.key" -c "$T/root.cert" $P \
		--role officer --clearance toi-mat -o "$T/$1.chain" "$T/$1.req" \
		>/dev/null
}
A=$T/an
as "$A" "$COYEU" keyring init --trust "$T/root.cert" >/dev/null
officer an "Nguyễn Văn An" "$A/key" vn/hcm
officer binh "Trần Thị Bình" "$T/binh.key" vn/hcm/vptu
officer mallory "Lê Văn Mạo" "$T/mallory.key" vn/hn
as "$A" "$COYEU" keyring add $P "$T/an.chain" "$T/binh.chain" >/dev/null
printf 'TUYỆT MẬT\n' >"$T/doc.txt"
mkdir "$T/cwd"
cd "$T/cwd" || exit 1
cp "$T/mallory.chain" "Trần Thị Bình"
cp "$T/mallory.chain" "$(serial binh)"
SEAL="seal --level toi-mat --doc 5/QĐ $P"
for who in "Trần Thị Bình" "$(serial binh)"; do
	rm -f "$T/x.age"
	run_st env COYEU_HOME="$A" "$COYEU" $SEAL --to "$who" -o "$T/x.age" \
		"$T/doc.txt"
	[ "$st" -eq 2 ] && ok || bad "--to '$who' beside a planted file: exit $st"
	stderr_has "--to '$who': ambiguous, saying how to name the file" \
		"--to '$who' is ambiguous: .*write \./$who for the file"
	stderr_has "--to '$who': the keyring's candidate is named" \
		"Trần Thị Bình, vn/hcm/vptu, .*serial $(serial binh)"
	[ ! -e "$T/x.age" ] && ok || bad "--to '$who': a file was written"
done
run_st env COYEU_HOME="$A" "$COYEU" cert verify "Trần Thị Bình"
[ "$st" -eq 2 ] && ok || bad "cert verify NAME beside a planted file: exit $st"
stderr_has "cert verify: ambiguous too" "is ambiguous"
expect_status 0 "--to ./NAME takes the file" \
	env COYEU_HOME="$A" "$COYEU" $SEAL --to "./Trần Thị Bình" -o "$T/m.age" \
	"$T/doc.txt"
stderr_has "seal names the file's officer" \
	"to: Lê Văn Mạo, vn/hn, .*serial $(serial mallory)"
expect_status 0 "../FILE is a file" \
	env COYEU_HOME="$A" "$COYEU" $SEAL --to ../mallory.chain -o "$T/b.age" \
	"$T/doc.txt"
rm -f "Trần Thị Bình" "$(serial binh)"
cp "$T/binh.chain" "$T/cwd/binh.chain"
cp "$T/mallory.chain" mallory-copy
expect_status 0 "--to by name and by bare file name" \
	env COYEU_HOME="$A" "$COYEU" $SEAL --to "Trần Thị Bình" --to mallory-copy \
	-o "$T/c.age" "$T/doc.txt"
stderr_has "seal names the first recipient" \
	"to: Trần Thị Bình, vn/hcm/vptu, .*serial $(serial binh)"
stderr_has "seal names the second recipient" \
	"to: Lê Văn Mạo, vn/hn, .*serial $(serial mallory)"
expect_status 2 "one officer twice" \
	env COYEU_HOME="$A" "$COYEU" $SEAL --to "Trần Thị Bình" --to binh.chain \
	-o "$T/d.age" "$T/doc.txt"
stderr_has "the same recipient twice is named" \
	"--to binh.chain: Trần Thị Bình, .* is already a recipient"
[ ! -e "$T/d.age" ] && ok || bad "a twice-named recipient still wrote a file"
finish
