/* The command groups: coyeu id …, authority …, cert …, keyring …. */
#include "cli.h"
#include "commands.h"

static const struct cli_command id_commands[] = {
	{"new", cmd_id_new, "an officer's signing and sealing keys"},
	{"request", cmd_id_request, "a certificate request signed by the key"},
	{"age-identity", cmd_id_age_identity, "the sealing keys as an age identity file"},
	{"add-pq", cmd_id_add_pq, "give a key a post-quantum sealing key"},
	{"prove", cmd_id_prove, "answer an authority's post-quantum challenge"},
	{"register", cmd_id_register, "post your chain to the registry"},
	{NULL, NULL, NULL},
};

static const struct cli_command authority_commands[] = {
	{"init", cmd_authority_init, "a root authority: key and self-signed certificate"},
	{NULL, NULL, NULL},
};

static const struct cli_command keyring_commands[] = {
	{"init", cmd_keyring_init, "create the keyring and pin the root"},
	{"add", cmd_keyring_add, "add chains and revocation lists, verified"},
	{"list", cmd_keyring_list, "your identity, the root, known officers"},
	{"remove", cmd_keyring_remove, "forget an officer's chain"},
	{"registry", cmd_keyring_registry, "set the registry, pin its verifier key"},
	{NULL, NULL, NULL},
};

static const struct cli_command cert_commands[] = {
	{"issue", cmd_cert_issue, "issue a certificate for a request"},
	{"challenge", cmd_cert_challenge, "challenge a request's post-quantum key"},
	{"show", cmd_cert_show, "print certificates, requests, revocation lists"},
	{"verify", cmd_cert_verify, "verify a chain against the trusted root"},
	{"revoke", cmd_cert_revoke, "add a serial to the issuer's revocation list"},
	{NULL, NULL, NULL},
};

int
cmd_id(int argc, char **argv)
{
	return cli_dispatch("coyeu id", id_commands, argc, argv);
}

int
cmd_authority(int argc, char **argv)
{
	return cli_dispatch("coyeu authority", authority_commands, argc, argv);
}

int
cmd_cert(int argc, char **argv)
{
	return cli_dispatch("coyeu cert", cert_commands, argc, argv);
}

int
cmd_keyring(int argc, char **argv)
{
	return cli_dispatch("coyeu keyring", keyring_commands, argc, argv);
}
