/* cli_util.h: what every `kiln` subcommand shares: the exit codes, error
 * printing, parsing of times, durations and numbers, file reading and the
 * subcommand entry points dispatched by kiln.c. */
#ifndef KILN_CLI_UTIL_H
#define KILN_CLI_UTIL_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include <kiln/common.h>
#include <kiln/reader.h>

/* Exit codes of the command (documented in the README and `kiln --help`). */
#define CLI_EXIT_OK 0
#define CLI_EXIT_USAGE 1    /* bad option, argument, selector or time */
#define CLI_EXIT_DATA 2     /* malformed input profile, corrupt block, verify failure */
#define CLI_EXIT_IO 3       /* store, file system or memory failure */
#define CLI_EXIT_NOTFOUND 4 /* no such block, key or file */
#define CLI_EXIT_REGRESSION 5 /* kiln diff --fail-above: a share grew too much */
#define CLI_EXIT_PARTIAL 6  /* a read command left out unreadable blocks */

/* The exit code for a negative KILN_E* code. */
int cli_exit_code(int err);

/* Print "kiln CMD: message" to stderr (printf-style). */
void cli_errorf(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Print "kiln CMD: <kiln_error_last() or kiln_strerror(err)>" and return
 * the exit code for err. */
int cli_fail(const char *cmd, int err);

/* Print "kiln CMD: message" and "Try 'kiln help CMD'." and return
 * CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Blocks a read command could not read and left out (without --strict):
 * each is named on stderr as the query meets it, and the command answers
 * from the rest and exits CLI_EXIT_PARTIAL. */
typedef struct cli_skips {
    const char *cmd;
    size_t n;      /* distinct blocks left out */
    char **keys;   /* their keys (a block two queries skip counts once) */
    size_t nkeys;
} cli_skips;
#define CLI_SKIPS_INIT(cmd) {(cmd), 0, NULL, 0}
/* Unless strict, make queries run with o report into sk and go on. */
void cli_skips_attach(cli_skips *sk, int strict, kiln_query_opts *o);
/* exit_code when it is a failure; else, if blocks were left out, a closing
 * line saying how many and CLI_EXIT_PARTIAL. Frees sk's keys. */
int cli_skips_exit(cli_skips *sk, int exit_code);

/* Durations: one or more NUMBER UNIT pairs ("10s", "1h30m", "1.5h", "250ms");
 * units ns us ms s m h d. 0 or KILN_EINVAL with the message set. */
int cli_parse_duration(const char *s, int64_t *ns);

/* Times: RFC 3339 ("2026-11-24T01:00:00Z", "...T01:00:00.5+02:00"), unix
 * seconds ("1764000000", "1764000000.25"), "now", "now-1h", "now+5m"
 * (relative to now_ns). 0 or KILN_EINVAL with the message set. */
int cli_parse_time(const char *s, int64_t now_ns, int64_t *ns);

/* The wall clock, ns since the epoch. */
int64_t cli_now_ns(void);

/* "2026-11-24T01:00:00Z" (fraction added when not whole seconds). */
void cli_format_time(int64_t ns, char out[48]);

/* Unsigned decimal in [min, max]; KILN_EINVAL naming `what` otherwise. */
int cli_parse_u64(const char *s, uint64_t min, uint64_t max, const char *what,
                  uint64_t *out);
/* A finite decimal in [min, max]. */
int cli_parse_double(const char *s, double min, double max, const char *what,
                     double *out);

/* Read a whole file (or stdin for "-") into out (appended). KILN_ENOTFOUND
 * if absent, KILN_EIO otherwise, with the path in the message. */
int cli_read_file(const char *path, size_t max, kiln_buf *out);

/* Write n bytes to the file path (created or truncated), or to stdout
 * when path is NULL. KILN_ENOTFOUND (no such directory) or KILN_EIO with
 * the path in the message. */
int cli_write_out(const char *path, const void *p, size_t n);

/* "12.3 MB" style, into out. */
void cli_format_bytes(uint64_t n, char out[32]);

/* What a query selected, for a flame graph's title: the selector (or "all
 * series"), then "trace HEX", "span HEX" and "type T" when given. */
void cli_selection_title(char *out, size_t cap, const char *selector,
                         const char *trace_hex, const char *span_hex,
                         const char *type);

/* getopt_long entries that kiln query and kiln diff take the same way. */
#define CLI_OPTS_STORE                          \
    {"store", required_argument, NULL, 's'},    \
    {"tenant", required_argument, NULL, 't'},   \
    {"from", required_argument, NULL, 'f'},     \
    {"to", required_argument, NULL, 'u'}
#define CLI_OPTS_RENDER                         \
    {"type", required_argument, NULL, 'y'},     \
    {"format", required_argument, NULL, 'F'},   \
    {"output", required_argument, NULL, 'o'},   \
    {"limit", required_argument, NULL, 'n'}

/* Index of the sample type of r named by --type ("cpu" or
 * "cpu:nanoseconds"), else the last one (pprof's default). */
size_t cli_pick_type(const kiln_result *r, const char *want);

/* 1 when stdout is a terminal. */
int cli_stdout_is_tty(void);

/* s (NULL: "") as a JSON string, quotes and escapes included. */
void cli_json_str(FILE *f, const char *s);

/* Block keys collected from kiln_blocks_list. */
typedef struct cli_keylist {
    char **keys;     /* malloc'd keys */
    uint64_t *sizes; /* object sizes, bytes */
    size_t n, cap;   /* used, allocated */
} cli_keylist;

/* A kiln_blocks_list callback appending to the cli_keylist ud. */
int cli_keylist_collect(void *ud, const char *key, uint64_t size);
void cli_keylist_free(cli_keylist *l);

/* Subcommands: argv[0] is the subcommand name; they return an exit code. */
int cmd_gen(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_query(int argc, char **argv);

/* Help texts (usage, options, examples), one per subcommand. */
extern const char cmd_gen_help[];
extern const char cmd_ingest_help[];
extern const char cmd_inspect_help[];
extern const char cmd_verify_help[];
extern const char cmd_diff_help[];
extern const char cmd_query_help[];

/* Print the help of subcommand `name` to f; 0, or -1 if there is none. */
int cli_print_help(const char *name, FILE *f);

#endif
