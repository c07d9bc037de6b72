# An officer with a certified post-quantum key, for any test to source
# (tests/cli/*.sh, tests/server/*.sh): the whole issue-12 flow of
# docs/certificates.md, so a test that needs a seal-pq-key certificate
# does not repeat it.
#
#   pq_officer KEY NAME UNIT ISSUERKEY ISSUERCHAIN CHAIN [cert issue options…]
#
# KEY: made with coyeu id new (the hybrid key is its default) when it does
# not exist; given a hybrid key with coyeu id add-pq when it exists without
# one.  Then coyeu id request, the authority's coyeu cert challenge, the
# officer's coyeu id prove and coyeu cert issue --pq-proof --require-pq
# write CHAIN (the certificate has seal-pq-key).  The request, challenge
# and proof are left beside CHAIN (CHAIN.req, CHAIN.challenge,
# CHAIN.proof).  Without cert issue options: --role officer --clearance
# tuyet-mat.
#
# The program is $PQ_COYEU, else $COYEU, else $C.  $PQ_PASS holds the
# passphrase options for every key (e.g. "--passphrase-file pw"); empty,
# new keys are --unprotected.  On failure it prints the failing step and
# its error on stderr and returns 1.

pq_officer() {
	_pq_key=$1 _pq_name=$2 _pq_unit=$3 _pq_ikey=$4 _pq_ichain=$5 _pq_out=$6
	shift 6
	[ $# -gt 0 ] || set -- --role officer --clearance tuyet-mat
	_pq_c=${PQ_COYEU:-${COYEU:-$C}}
	_pq_err=$_pq_out.err
	if [ ! -e "$_pq_key" ]; then
		# shellcheck disable=SC2086
		_pq_step "id new" "$_pq_c" id new --pq ${PQ_PASS:---unprotected} \
		    --work-factor 10 -o "$_pq_key" || return 1
	elif ! "$_pq_c" id add-pq ${PQ_PASS:-} --work-factor 10 \
	    -k "$_pq_key" >/dev/null 2>"$_pq_err" &&
	    ! grep -q "already has a post-quantum" "$_pq_err"; then
		echo "pq_officer: id add-pq failed: $(cat "$_pq_err")" >&2
		return 1
	fi
	# shellcheck disable=SC2086
	_pq_step "id request" "$_pq_c" id request ${PQ_PASS:-} -k "$_pq_key" \
	    --name "$_pq_name" --unit "$_pq_unit" -o "$_pq_out.req" &&
	_pq_step "cert challenge" "$_pq_c" cert challenge ${PQ_PASS:-} \
	    -k "$_pq_ikey" -o "$_pq_out.challenge" "$_pq_out.req" &&
	_pq_step "id prove" "$_pq_c" id prove ${PQ_PASS:-} -k "$_pq_key" \
	    -o "$_pq_out.proof" "$_pq_out.challenge" &&
	_pq_step "cert issue" "$_pq_c" cert issue ${PQ_PASS:-} -k "$_pq_ikey" \
	    -c "$_pq_ichain" "$@" --pq-proof "$_pq_out.proof" --require-pq \
	    -o "$_pq_out" "$_pq_out.req" || return 1
	grep -q '^seal-pq-key: age1pq1' "$_pq_out" || {
		echo "pq_officer: $_pq_out has no seal-pq-key" >&2
		return 1
	}
}

# _pq_step WHAT CMD…: runs CMD quietly; on failure says which step and why.
_pq_step() {
	_pq_what=$1
	shift
	if "$@" >/dev/null 2>"$_pq_err"; then
		rm -f "$_pq_err"
		return 0
	fi
	echo "pq_officer: $_pq_what failed: $(cat "$_pq_err")" >&2
	return 1
}
