#include "cli.h"
#include "commands.h"

int
cmd_seal(int argc, char **argv)
{
	cli_warn("seal: not implemented yet");
	return CLI_FAIL;
}
