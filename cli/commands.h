/* The sub-commands, one file each. */
#ifndef COYEU_CLI_COMMANDS_H
#define COYEU_CLI_COMMANDS_H

int cmd_keygen(int argc, char **argv);
int cmd_seal(int argc, char **argv);
int cmd_open(int argc, char **argv);
int cmd_id(int argc, char **argv);
int cmd_id_new(int argc, char **argv);
int cmd_id_request(int argc, char **argv);
int cmd_id_age_identity(int argc, char **argv);
int cmd_id_register(int argc, char **argv);
int cmd_id_add_pq(int argc, char **argv);
int cmd_id_prove(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_authority(int argc, char **argv);
int cmd_authority_init(int argc, char **argv);
int cmd_cert(int argc, char **argv);
int cmd_cert_issue(int argc, char **argv);
int cmd_cert_challenge(int argc, char **argv);
int cmd_cert_show(int argc, char **argv);
int cmd_cert_verify(int argc, char **argv);
int cmd_cert_revoke(int argc, char **argv);
int cmd_keyring(int argc, char **argv);
int cmd_keyring_init(int argc, char **argv);
int cmd_keyring_add(int argc, char **argv);
int cmd_keyring_list(int argc, char **argv);
int cmd_keyring_remove(int argc, char **argv);
int cmd_keyring_registry(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_log_init(int argc, char **argv);
int cmd_log_entry(int argc, char **argv);
int cmd_log_append(int argc, char **argv);
int cmd_log_checkpoint(int argc, char **argv);
int cmd_log_prove(int argc, char **argv);
int cmd_log_consistency(int argc, char **argv);
int cmd_log_verify_proof(int argc, char **argv);
int cmd_log_verify_consistency(int argc, char **argv);
int cmd_log_verify_tiles(int argc, char **argv);
int cmd_log_audit(int argc, char **argv);
int cmd_log_export_tiles(int argc, char **argv);
/* Through the registry (docs/exchange.md). */
int cmd_send(int argc, char **argv);
int cmd_inbox(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_recall(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_copy(int argc, char **argv);
int cmd_extend(int argc, char **argv);
int cmd_register(int argc, char **argv);
int cmd_reseal(int argc, char **argv);
/* The inventory (docs/inventory.md). */
int cmd_item(int argc, char **argv);
int cmd_stocktake(int argc, char **argv);

#endif
