#include "cli.h"
#include "commands.h"

int
cmd_keygen(int argc, char **argv)
{
	cli_warn("keygen: not implemented yet");
	return CLI_FAIL;
}
