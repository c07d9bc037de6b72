#!/bin/sh
# Officer keys with a post-quantum hybrid part (issue 12) from the command
# line: id new makes it by default (--classical opts out), id add-pq gives
# an old key one under the same passphrase, id age-identity writes both
# lines (--pq / --classical one), and the AGE-SECRET-KEY-PQ-1 line opens
# what was sealed to the age1pq1 key the certificate shows.  Certifying
# it: without a proof the certificate is classical and a warning says so,
# --require-pq refuses, a proof from cert challenge / id prove puts
# seal-pq-key in; a proof for another request, a tampered proof, a proof
# by another key and a proof for a classical request are refused.  And the
# shared helper tests/cli/lib/pqofficer.sh.
. "${SRCDIR:-.}/tests/cli/lib/common.sh"
. "${SRCDIR:-.}/tests/cli/lib/pqofficer.sh"

C=$COYEU
cd "$T" || exit 1
printf 'mật khẩu thử\n' >pw
PW="--passphrase-file pw"
WF="--work-factor 10"
MISMATCH='^coyeu: cert issue: refused: the post-quantum proof does not match the request'
NO_PROOF_WARNING='^coyeu: warning: the request'"'"'s post-quantum key is not certified \(no proof of possession\): run coyeu cert challenge, coyeu id prove on the requester'"'"'s machine, then cert issue --pq-proof$'

# secret_lines FILE: the identity lines of an age identity file.
secret_lines() { grep -v '^#' "$1"; }

expect_status 0 "authority init" $C authority init --unprotected -o root.key \
    --cert-out root.chain --name "Ban Cơ yếu" --unit vn
# issue NAME REQ [options…]: cert issue by the root to NAME.chain.
issue() {
	n=$1 req=$2
	shift 2
	run_st $C cert issue -k root.key -c root.chain --role officer \
	    --clearance tuyet-mat "$@" -o "$n.chain" "$req"
}

# --- id new: the hybrid key by default ------------------------------------
expect_status 0 "id new (default)" $C id new $PW $WF -o pq.key
grep -Eq '^seal-pq-key: age1pq1[a-z0-9]{12}…[a-z0-9]{8} \(ML-KEM-768 \+ X25519, 1959 characters, SHA-256 [A-Za-z0-9+/]{16}\)$' \
    "$T/stdout" && ok || bad "id new prints no seal-pq-key: $(cat "$T/stdout")"
expect_status 0 "id new --json" $C id new --json --unprotected $WF -o pq2.key
grep -Eq '"seal_pq_key":"age1pq1[a-z0-9]{1952}"' "$T/stdout" && ok ||
    bad "id new --json has no seal_pq_key: $(head -c 300 "$T/stdout")"
expect_status 0 "id age-identity: both lines" \
    $C id age-identity $PW -k pq.key -o both.agekey
[ "$(secret_lines both.agekey | grep -c '^AGE-SECRET-KEY-1')" = 1 ] &&
    [ "$(secret_lines both.agekey | grep -c '^AGE-SECRET-KEY-PQ-1')" = 1 ] &&
    [ "$(secret_lines both.agekey | wc -l)" = 2 ] && ok ||
    bad "id age-identity does not write both lines: $(cat both.agekey)"
[ "$(stat -c %a both.agekey)" = 600 ] && ok || bad "both.agekey is not 0600"
expect_status 0 "id age-identity --pq" \
    $C id age-identity --pq $PW -k pq.key -o pq.agekey
secret_lines pq.agekey | grep -Eq '^AGE-SECRET-KEY-PQ-1[A-Z0-9]{58}$' &&
    [ "$(secret_lines pq.agekey | wc -l)" = 1 ] && ok ||
    bad "id age-identity --pq: $(cat pq.agekey)"
expect_status 0 "id age-identity --classical" \
    $C id age-identity --classical $PW -k pq.key -o x.agekey
secret_lines x.agekey | grep -Eq '^AGE-SECRET-KEY-1[A-Z0-9]{58}$' &&
    [ "$(secret_lines x.agekey | wc -l)" = 1 ] && ok ||
    bad "id age-identity --classical: $(cat x.agekey)"
expect_status 2 "id age-identity --pq --classical" \
    $C id age-identity --pq --classical $PW -k pq.key
stderr_has "id age-identity: the two exclude each other" \
    '^coyeu: --pq and --classical exclude each other'
expect_status 2 "id new --classical --pq" $C id new --classical --pq \
    --unprotected -o never.key
[ ! -e never.key ] && ok || bad "id new --classical --pq made a key"

# --- id new --classical, then id add-pq -----------------------------------
expect_status 0 "id new --classical" $C id new --classical $PW $WF -o old.key
grep -q '^seal-pq-key: none (--classical; coyeu id add-pq adds one)$' \
    "$T/stdout" && ok || bad "id new --classical: $(cat "$T/stdout")"
expect_status 1 "id age-identity --pq of a classical key" \
    $C id age-identity --pq $PW -k old.key
stderr_has "no post-quantum key to export" \
    '^coyeu: id age-identity: old.key has no post-quantum key: add one with coyeu id add-pq$'
expect_status 0 "id age-identity of a classical key" \
    $C id age-identity $PW -k old.key -o old.agekey
[ "$(secret_lines old.agekey | wc -l)" = 1 ] && ok ||
    bad "a classical key exports more than its X25519 line"
printf 'sai rồi\n' >wrongpw
cp old.key old.key.before
expect_status 1 "id add-pq with a wrong passphrase" \
    $C id add-pq --passphrase-file wrongpw $WF -k old.key
stderr_has "wrong passphrase" 'wrong passphrase'
cmp -s old.key old.key.before && ok || bad "a failed add-pq changed the file"
expect_status 0 "id add-pq" $C id add-pq $PW $WF -k old.key
grep -q 'now holds a post-quantum sealing key' "$T/stdout" && ok ||
    bad "id add-pq: $(cat "$T/stdout")"
[ "$(stat -c %a old.key)" = 600 ] && ok || bad "old.key is not 0600 after add-pq"
head -c 22 old.key | grep -q '^age-encryption.org/v1' && ok ||
    bad "add-pq left the key unprotected"
expect_status 0 "id age-identity --classical after add-pq (same passphrase)" \
    $C id age-identity --classical $PW -k old.key -o old2.agekey
[ "$(secret_lines old.agekey)" = "$(secret_lines old2.agekey)" ] && ok ||
    bad "add-pq changed the X25519 key"
expect_status 0 "id age-identity --pq after add-pq" \
    $C id age-identity --pq $PW -k old.key -o old-pq.agekey
expect_status 1 "id add-pq twice" $C id add-pq $PW $WF -k old.key
stderr_has "add-pq refuses a key that has one" \
    'the key already has a post-quantum \(hybrid\) part'

# --- requests and certificates --------------------------------------------
expect_status 0 "id request (hybrid key)" $C id request $PW -k pq.key \
    --name "Lượng Tử" --unit vn/a -o pq.req
grep -q '^seal-pq-key: age1pq1' pq.req && ok || bad "the request has no seal-pq-key"
expect_status 0 "cert show REQ" $C cert show pq.req
grep -q '^  seal-pq-key: age1pq1' "$T/stdout" && ok || bad "cert show REQ: $(cat "$T/stdout")"

# without a proof: a classical certificate and the warning
issue nopq pq.req
[ "$st" -eq 0 ] && ok || bad "cert issue without a proof: exit $st"
stderr_has "the warning" "$NO_PROOF_WARNING"
grep -q '^seal-pq-key:' nopq.chain && bad "a certificate without proof has seal-pq-key" || ok
expect_status 0 "cert show (classical)" $C cert show nopq.chain
grep -q '^  seal-pq-key:   none (classical only)$' "$T/stdout" && ok ||
    bad "cert show classical: $(cat "$T/stdout")"

# --require-pq without a proof: refused, nothing written
issue req pq.req --require-pq
[ "$st" -eq 1 ] && ok || bad "cert issue --require-pq without a proof: exit $st"
stderr_has "--require-pq refuses" \
    "^coyeu: cert issue: refused: the request's post-quantum key has no proof of possession \(--require-pq\)"
[ ! -e req.chain ] && ok || bad "--require-pq wrote a chain"

# the proof of possession
expect_status 0 "cert challenge" $C cert challenge -k root.key -o pq.challenge pq.req
head -n 1 pq.challenge | grep -qx 'version: coyeu.v1/pq-challenge' && ok ||
    bad "challenge: $(head -c 200 pq.challenge)"
expect_status 0 "cert challenge again" $C cert challenge -k root.key pq.req
cmp -s "$T/stdout" pq.challenge && ok || bad "the challenge is not deterministic"
expect_status 0 "id prove" $C id prove $PW -k pq.key -o pq.proof pq.challenge
head -n 1 pq.proof | grep -qx 'version: coyeu.v1/pq-proof' && ok ||
    bad "proof: $(cat pq.proof)"
issue pq pq.req --pq-proof pq.proof --require-pq
[ "$st" -eq 0 ] && ok || bad "cert issue with the proof: exit $st: $(cat "$T/stderr")"
grep -q 'post-quantum key certified' "$T/stdout" && ok ||
    bad "cert issue says nothing of the post-quantum key: $(cat "$T/stdout")"
grep -q '^seal-pq-key: age1pq1' pq.chain && ok || bad "no seal-pq-key in the certificate"
expect_status 0 "cert show" $C cert show pq.chain
grep -Eq '^  seal-pq-key:   age1pq1[a-z0-9]{12}….*SHA-256' "$T/stdout" && ok ||
    bad "cert show: $(cat "$T/stdout")"
expect_status 0 "cert show --full" $C cert show --full pq.chain
PQ_PUB=$(sed -n 's/^  seal-pq-key:   //p' "$T/stdout" | head -n 1)
[ "$PQ_PUB" = "$(sed -n 's/^# public key: \(age1pq1.*\)/\1/p' pq.agekey)" ] &&
    ok || bad "the certificate's key is not the key's: $PQ_PUB"
expect_status 0 "cert show --json" $C cert show --json pq.chain
grep -qF "\"seal_pq_key\":\"$PQ_PUB\"" "$T/stdout" && ok || bad "cert show --json"
expect_status 0 "cert verify" $C cert verify --trust root.chain pq.chain

# the exported PQ identity opens a file sealed to the certificate's key
printf 'tài liệu tuyệt mật\n' >plain
expect_status 0 "seal to the certificate's age1pq1" \
    $C seal -r "$PQ_PUB" -o doc.age plain
grep -q '^-> mlkem768x25519 ' doc.age && ok || bad "no hybrid stanza"
expect_status 0 "open -i the --pq identity" $C open -i pq.agekey -o out doc.age
same "open -i pq.agekey" plain out
expect_status 1 "the X25519 line alone does not open it" \
    $C open -i x.agekey -o out2 doc.age

# refusals
expect_status 0 "id request again" $C id request $PW -k pq.key \
    --name "Lượng Tử Hai" --unit vn/a -o pq2.req
issue other pq2.req --pq-proof pq.proof
[ "$st" -eq 1 ] && ok || bad "a proof for another request: exit $st"
stderr_has "a proof for another request" \
    "$MISMATCH \\(it answers a challenge for another request\\)$"
[ ! -e other.chain ] && ok || bad "a refused issue wrote a chain"
sed 's/^proof: A/proof: B/; t; s/^proof: ./proof: A/' pq.proof >tampered.proof
issue tampered pq.req --pq-proof tampered.proof
[ "$st" -eq 1 ] && ok || bad "a tampered proof: exit $st"
stderr_has "a tampered proof" "$MISMATCH\$"
expect_status 1 "id prove with another key" $C id prove -k pq2.key pq.challenge
stderr_has "another key will not answer" \
    '^coyeu: id prove: refused: the challenge is for a request signed by another key'
sed 's/^enc: A/enc: B/; t; s/^enc: ./enc: A/' pq.challenge >tampered.challenge
expect_status 0 "id prove a tampered challenge" \
    $C id prove $PW -k pq.key -o tampered-ch.proof tampered.challenge
issue tch pq.req --pq-proof tampered-ch.proof
[ "$st" -eq 1 ] && ok || bad "a proof of a tampered challenge: exit $st"
stderr_has "a tampered challenge's proof" "$MISMATCH\$"
expect_status 0 "authority init (another)" $C authority init --unprotected \
    -o root2.key --cert-out root2.chain --name "Khác" --unit vn
run_st $C cert issue -k root2.key -c root2.chain --role officer \
    --clearance mat --pq-proof pq.proof -o r2.chain pq.req
[ "$st" -eq 1 ] && ok || bad "another authority's check: exit $st"
stderr_has "another authority's check" "$MISMATCH\$"
expect_status 0 "id new --classical (c.key)" $C id new --classical \
    --unprotected -o c.key
expect_status 0 "id request (classical)" $C id request -k c.key --name "Cổ" \
    --unit vn/a -o c.req
issue c c.req --pq-proof pq.proof
[ "$st" -eq 1 ] && ok || bad "--pq-proof for a classical request: exit $st"
stderr_has "--pq-proof for a classical request" \
    '^coyeu: cert issue: refused: the request has no post-quantum key \(seal-pq-key\)'
expect_status 1 "cert challenge of a classical request" \
    $C cert challenge -k root.key c.req
stderr_has "nothing to challenge" 'the request has no post-quantum key'

# --- the shared helper ------------------------------------------------------
pq_officer fresh.key "Mới" vn/b root.key root.chain fresh.chain && ok ||
    bad "pq_officer with a new key"
PQ_PASS=$PW pq_officer old.key "Cũ" vn/b root.key root.chain oldpq.chain \
    --role officer --clearance mat && ok || bad "pq_officer with add-pq'd key"
pq_officer c.key "Cổ" vn/b root.key root.chain c2.chain && ok ||
    bad "pq_officer adding the key to a classical one"
expect_status 0 "cert verify (helper's chain)" \
    $C cert verify --trust root.chain c2.chain
finish
