#include "cli.h"
#include "commands.h"

int
cmd_open(int argc, char **argv)
{
	cli_warn("open: not implemented yet");
	return CLI_FAIL;
}
