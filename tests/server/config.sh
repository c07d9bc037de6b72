#!/bin/sh
# Refused configurations and identities, each with its message: unknown
# key (file:line, exit 2), bad values, missing keys, a chain whose leaf is
# not a registry, a chain from another root, a key not the chain's, a
# protected key, a register of another origin.
. "${SRCDIR:-.}/tests/server/lib.sh"
make_authority

write_config "$T/c.conf" "bogus = 1"
expect 2 "c.conf:8: unknown key 'bogus'" "unknown key, with file:line" \
	$D --config "$T/c.conf"
write_config "$T/c.conf" "threads = many"
expect 2 "c.conf:8: threads takes a number from 0 to 1024, not 'many'" \
	"a number that is not" $D init --config "$T/c.conf"
write_config "$T/c.conf" "body_max = 10"
expect 2 "body_max takes a number from 1024" "body_max too small" \
	$D --config "$T/c.conf"
write_config "$T/c.conf" "register_public = maybe"
expect 2 "register_public is true or false, not 'maybe'" "a boolean" \
	$D --config "$T/c.conf"
write_config "$T/c.conf" "log_level = loud"
expect 2 "log_level is error, warn, info or debug" "a log level" \
	$D --config "$T/c.conf"
write_config "$T/c.conf" "no equals sign"
expect 2 "c.conf:8: not a 'key = value' line" "a line without =" \
	$D --config "$T/c.conf"
write_config "$T/c.conf" "tls_cert = $T/x.pem"
expect 2 "give both tls_cert and tls_key" "tls_cert alone" $D --config "$T/c.conf"
grep -v '^trust' "$T/c.conf" >"$T/c2.conf"
expect 2 "no 'trust =' line" "trust missing" $D --config "$T/c2.conf"
expect 1 "" "a config that is not there" $D --config "$T/none.conf"
expect 2 "unexpected argument" "a stray argument" $D --config "$T/c2.conf" extra

# ---- identities ----
$C id new -o "$T/off.key" --unprotected >/dev/null 2>&1
$C id request -k "$T/off.key" --name "Officer" --unit vn/hcm -o "$T/off.req" >/dev/null 2>&1
$C cert issue -k "$T/root.key" -c "$T/root.cert" --role officer \
	--clearance mat "$T/off.req" -o "$T/off.chain" >/dev/null 2>&1
write_config "$T/c.conf" "chain = $T/off.chain" "key = $T/off.key"
expect 1 "has role officer, not registry" "an officer's chain is refused" \
	$D init --config "$T/c.conf"
$C authority init -o "$T/other.key" --cert-out "$T/other.cert" \
	--name "Other" --unit vn --unprotected >/dev/null 2>&1
write_config "$T/c.conf" "trust = $T/other.cert"
expect 1 "does not verify against the trust root" "a chain of another root" \
	$D init --config "$T/c.conf"
write_config "$T/c.conf" "key = $T/off.key"
expect 1 "is not the key of the chain's certificate" "another key" \
	$D init --config "$T/c.conf"
printf 'pass\n' >"$T/pass"
$C id new -o "$T/prot.key" --passphrase-file "$T/pass" --work-factor 10 >/dev/null 2>&1
write_config "$T/c.conf" "key = $T/prot.key"
expect 1 "must be unprotected" "a protected key" $D init --config "$T/c.conf"
# Another local user must not read the registry's key: refused, not used.
cp "$T/reg.key" "$T/open.key"
chmod 644 "$T/open.key"
write_config "$T/c.conf" "key = $T/open.key"
expect 1 "is readable by others (mode 644)" "a registry key others can read" \
	$D init --config "$T/c.conf"
write_config "$T/c.conf" "trust = $T/reg.chain"
expect 1 "trust = must name a root authority" "trust that is not a root" \
	$D init --config "$T/c.conf"
write_config "$T/c.conf"
expect 1 "cannot open the store" "serving before init" $D --config "$T/c.conf"

# ---- the origin ----
write_config "$T/c.conf" "origin = registry.example/hcm"
expect 0 "origin: registry.example/hcm" "a configured origin" \
	$D init --config "$T/c.conf"
write_config "$T/c.conf"
expect 1 "the register's origin is registry.example/hcm, not coyeu.vn/hcm/register" \
	"serving a register of another origin" $D --config "$T/c.conf"

# ---- dist/coyeud.conf ----
missing=
for k in $(sed -n 's/^	{"\([a-z_]*\)", [A-Z]*, OFF(.*/\1/p' "$SRCDIR/server/config.c"); do
	grep -q "^#\{0,1\}$k = " "$SRCDIR/dist/coyeud.conf" || missing="$missing $k"
done
[ -z "$missing" ] && ok "dist/coyeud.conf documents every key" ||
	bad "dist/coyeud.conf lacks:$missing"
# The shipped file, every commented key switched on, paths made ours.
rm -f "$T/reg.db"
sed -e 's/^#\([a-z_]* = \)/\1/' \
    -e "s|^db = .*|db = sqlite:$T/dist.db|" -e "s|^key = .*|key = $T/reg.key|" \
    -e "s|^chain = .*|chain = $T/reg.chain|" -e "s|^trust = .*|trust = $T/root.cert|" \
    -e '/^tls_/d' "$SRCDIR/dist/coyeud.conf" >"$T/dist.conf"
expect 0 "origin: coyeu.vn/hcm/register" "the shipped config, every key on, is accepted" \
	$D init --config "$T/dist.conf"
finish
