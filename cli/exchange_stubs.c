/* Stand-ins for the registry commands not yet built: each is weak, so the
 * real one replaces it without a change here. */
#include "cli.h"
#include "commands.h"

#define WEAK __attribute__((weak))

static int
not_built(const char *name)
{
	cli_warn("%s: not available in this build", name);
	return CLI_FAIL;
}

WEAK int cmd_send(int argc, char **argv) { return not_built("send"); }
WEAK int cmd_inbox(int argc, char **argv) { return not_built("inbox"); }
WEAK int cmd_fetch(int argc, char **argv) { return not_built("fetch"); }
WEAK int cmd_status(int argc, char **argv) { return not_built("status"); }
WEAK int cmd_recall(int argc, char **argv) { return not_built("recall"); }
WEAK int cmd_destroy(int argc, char **argv) { return not_built("destroy"); }
WEAK int cmd_copy(int argc, char **argv) { return not_built("copy"); }
WEAK int cmd_extend(int argc, char **argv) { return not_built("extend"); }
WEAK int cmd_register(int argc, char **argv) { return not_built("register"); }
