/* cmd_inspect.c: placeholder until the subcommand lands (minutes away). */
#include "cli_util.h"
const char cmd_inspect_help[] = "Usage: kiln inspect (not yet)\n";
const char cmd_verify_help[] = "Usage: kiln verify (not yet)\n";
int cmd_inspect(int argc, char **argv) { (void)argc; (void)argv; return cli_usage_error("inspect", "not yet"); }
int cmd_verify(int argc, char **argv) { (void)argc; (void)argv; return cli_usage_error("verify", "not yet"); }
