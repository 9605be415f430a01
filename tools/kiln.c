/* kiln.c: the `kiln` command's entry point: global options (--help,
 * --version), `kiln help CMD`, and a table dispatching to the subcommands,
 * each in its own file. Add a subcommand by adding a row to COMMANDS. */
#include "cli_util.h"
#include "cmd_store.h"

#include <stdio.h>
#include <string.h>

typedef struct kiln_cmd {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] = name; returns exit code */
    const char *help;                  /* full help text */
    const char *summary;               /* one line for `kiln --help` */
} kiln_cmd;

static const kiln_cmd COMMANDS[] = {
    {"ingest", cmd_ingest, cmd_ingest_help,
     "write profiles (pprof, folded stacks) into blocks in a store"},
    {"query", cmd_query, cmd_query_help,
     "top functions, flame graphs, folded stacks, pprof, JSON or CSV"},
    {"diff", cmd_diff, cmd_diff_help,
     "compare two selections: differential flame graph, regression gate"},
    {"inspect", cmd_inspect, cmd_inspect_help,
     "show a block's sections, sizes, time range, counts and labels"},
    {"verify", cmd_verify, cmd_verify_help,
     "check every checksum and structure of blocks"},
    {"ls", cmd_ls, cmd_ls_help,
     "list a store's blocks: time range, size, series and samples"},
    {"cp", cmd_cp, cmd_cp_help,
     "copy blocks between stores (e.g. a directory to a bucket), verified"},
    {"gen", cmd_gen, cmd_gen_help,
     "generate a realistic fleet of CPU profiles (deterministic)"},
};
#define NCOMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static const kiln_cmd *find_cmd(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(COMMANDS[i].name, name) == 0)
            return &COMMANDS[i];
    return NULL;
}

int cli_print_help(const char *name, FILE *f)
{
    const kiln_cmd *c = find_cmd(name);
    if (c == NULL)
        return -1;
    fputs(c->help, f);
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: kiln COMMAND [options] [args]\n"
            "\n"
            "kiln stores continuous-profiling data (pprof) as immutable columnar\n"
            "blocks in a directory or an object store, and queries them.\n"
            "\n"
            "Commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-9s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(f,
            "  %-9s %s\n"
            "\n"
            "Options:\n"
            "  -h, --help     this help (and `kiln help COMMAND`, `kiln COMMAND --help`)\n"
            "  -V, --version  print the version\n"
            "\n"
            "Stores: a directory path or file:///path (created by the first write)%s.\n"
            "\n"
            "Exit codes:\n"
            "  0  success\n"
            "  1  usage error (bad option, argument, selector or time)\n"
            "  2  bad data (malformed input profile, corrupt block, verify failure)\n"
            "  3  store, file system or memory error\n"
            "  4  not found (no such block, key, file or store)\n"
            "  5  kiln diff --fail-above: a function's share grew too much\n"
            "  6  partial answer: a query left out blocks it could not read (named\n"
            "     on stderr; --strict makes that a failure)\n"
            "\n"
            "Example:\n"
            "  kiln gen --out fleet --services 3 --hosts 3 --duration 1h --seed 1\n"
            "  kiln ingest --store data --path-labels service_name/host fleet\n"
            "  kiln query --store data --match '{service_name=\"checkout\"}' --format top\n",
            "help", "show the help of a command",
#if defined(KILN_HAVE_S3) && KILN_HAVE_S3
            ", or s3://BUCKET/PREFIX"
#else
            ""
#endif
    );
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("kiln %s\n", KILN_VERSION_STRING);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0) {
        if (argc < 3) {
            usage(stdout);
            return CLI_EXIT_OK;
        }
        if (cli_print_help(argv[2], stdout) != 0) {
            fprintf(stderr, "kiln help: no command \"%s\"; see 'kiln --help'\n",
                    argv[2]);
            return CLI_EXIT_USAGE;
        }
        return CLI_EXIT_OK;
    }
    const kiln_cmd *c = find_cmd(cmd);
    if (c == NULL) {
        fprintf(stderr, "kiln: no command \"%s\"; see 'kiln --help'\n", cmd);
        return CLI_EXIT_USAGE;
    }
    /* `kiln CMD --help` anywhere before "--" prints the help. */
    for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0) {
            fputs(c->help, stdout);
            return CLI_EXIT_OK;
        }
    return c->run(argc - 1, argv + 1);
}
