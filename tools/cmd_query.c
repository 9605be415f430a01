/* cmd_query.c: placeholder until the subcommand lands (minutes away). */
#include "cli_util.h"
const char cmd_query_help[] = "Usage: kiln query (not yet)\n";
int cmd_query(int argc, char **argv) { (void)argc; (void)argv; return cli_usage_error("query", "not yet"); }
