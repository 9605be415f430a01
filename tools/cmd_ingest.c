/* cmd_ingest.c: placeholder until the subcommand lands (minutes away). */
#include "cli_util.h"
const char cmd_ingest_help[] = "Usage: kiln ingest (not yet)\n";
int cmd_ingest(int argc, char **argv) { (void)argc; (void)argv; return cli_usage_error("ingest", "not yet"); }
