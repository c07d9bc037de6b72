/* coyeu — dispatch to sub-commands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "client.h"
#include "commands.h"
#include "coyeu/secret.h"
#include "coyeu/version.h"

static const struct cli_command commands[] = {
	{"keygen", cmd_keygen, "generate an age identity (X25519, or --pq)"},
	{"seal", cmd_seal, "encrypt a file to recipients (age v1)"},
	{"open", cmd_open, "decrypt an age file or a classified document"},
	{"inspect", cmd_inspect, "the outer mark; with -k, the verified label"},
	{"reseal", cmd_reseal, "re-wrap a classified document post-quantum (payload kept)"},
	{"id", cmd_id, "an officer's keys and certificate requests"},
	{"authority", cmd_authority, "create a root authority"},
	{"cert", cmd_cert, "issue, show, verify and revoke certificates"},
	{"keyring", cmd_keyring, "your key, root, lists and known officers"},
	{"log", cmd_log, "the register: append, checkpoint, prove, verify, audit"},
	{"send", cmd_send, "seal and send a document through the registry"},
	{"inbox", cmd_inbox, "your incoming documents"},
	{"fetch", cmd_fetch, "download your copy and acknowledge receipt"},
	{"status", cmd_status, "every copy of a document: delivered, opened, …"},
	{"recall", cmd_recall, "recall a document or a copy"},
	{"destroy", cmd_destroy, "destroy a document or a copy (crypto-shred)"},
	{"copy", cmd_copy, "make a numbered copy for another officer"},
	{"extend", cmd_extend, "extend a document's protection period"},
	{"register", cmd_register, "the law's registers: outgoing, incoming, copies, destroyed"},
	{"item", cmd_item, "cryptographic equipment and keys: add, move, lose, history"},
	{"stocktake", cmd_stocktake, "stock-take (kiểm kê): open, declare, close"},
	{NULL, NULL, NULL},
};

int
main(int argc, char **argv)
{
	if (cy_init() != 0) {
		cli_warn("cannot initialise libsodium");
		return CLI_FAIL;
	}
	/* coyeu --registry URL COMMAND …: the registry for every command
	 * that talks to one, as each one's own --registry. */
	if (argc >= 3 && strcmp(argv[1], "--registry") == 0) {
		cli_client_set_default_url(argv[2]);
		argv[2] = argv[0];
		argv += 2;
		argc -= 2;
	}
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		printf("coyeu %s\n", cy_version());
		return CLI_OK;
	}
	return cli_dispatch("coyeu", commands, argc, argv);
}
