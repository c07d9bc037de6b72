/* The sub-commands, one file each. */
#ifndef COYEU_CLI_COMMANDS_H
#define COYEU_CLI_COMMANDS_H

#define COYEU_VERSION_STRING "0.1.0"

int cmd_keygen(int argc, char **argv);
int cmd_seal(int argc, char **argv);
int cmd_open(int argc, char **argv);

#endif
