/* cmd_store.c: `kiln ls` (the blocks of a store with their time range, size
 * and counts, reading only each block's footer) and `kiln cp` (copy blocks
 * between stores, e.g. a directory to a bucket, and prove each copy by
 * reading it back: same bytes, and a full verify). */
#include "cli_util.h"
#include "cmd_store.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <kiln/reader.h>
#include <kiln/store.h>

const char cmd_ls_help[] =
    "Usage: kiln ls --store URL [--tenant T] [--json]\n"
    "\n"
    "List the blocks of a tenant in key order: time range, size, series and\n"
    "samples, then a total. Only each block's footer is read (one request per\n"
    "block on s3://).\n"
    "\n"
    "Options:\n"
    "  -s, --store URL  directory, file:///path or s3://BUCKET/PREFIX\n"
    "  -t, --tenant T   the tenant (default \"default\")\n"
    "  -j, --json       one JSON object per line instead of a table\n"
    "  -h, --help       this help\n"
    "\n"
    "Exit code 2 if a block cannot be read (it is listed with its fault).\n"
    "\n"
    "Examples:\n"
    "  kiln ls --store data\n"
    "  kiln ls --store s3://profiles/kiln --tenant prod\n";

const char cmd_cp_help[] =
    "Usage: kiln cp [--tenant T] [--quiet] SRC DST\n"
    "\n"
    "Copy every block of a tenant from store SRC to store DST (for instance a\n"
    "directory to a bucket). Each block is written with a conditional create\n"
    "(a block already in DST with the same bytes is skipped, one with other\n"
    "bytes is an error), then read back from DST, compared byte for byte and\n"
    "verified (every checksum and structure). Prints one line per block.\n"
    "\n"
    "Options:\n"
    "  -t, --tenant T   the tenant (default \"default\")\n"
    "  -q, --quiet      print only the summary and failures\n"
    "  -h, --help       this help\n"
    "\n"
    "Exit code 0 only if every block was copied (or already there) and\n"
    "verified.\n"
    "\n"
    "Examples:\n"
    "  kiln cp data s3://profiles/kiln\n"
    "  kiln cp --tenant prod s3://old-bucket/kiln file:///backup/kiln\n";

int cmd_ls(int argc, char **argv)
{
    static const struct option opts[] = {
        {"store", required_argument, NULL, 's'},
        {"tenant", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *url = NULL, *tenant = "default";
    int json = 0, c, rc, exit_code = CLI_EXIT_OK;
    kiln_store *st = NULL;
    cli_keylist l = {0};
    uint64_t tsize = 0, tseries = 0, tsamples = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "s:t:jh", opts, NULL)) != -1) {
        switch (c) {
        case 's': url = optarg; break;
        case 't': tenant = optarg; break;
        case 'j': json = 1; break;
        case 'h': fputs(cmd_ls_help, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("ls", "unknown option");
        }
    }
    if (!url)
        return cli_usage_error("ls", "--store URL is required");
    if (optind < argc)
        return cli_usage_error("ls", "unexpected argument '%s'", argv[optind]);

    if ((rc = kiln_store_open(&st, url)))
        return cli_fail("ls", rc);
    /* Blocks replaced by another (a compaction's sources) are not shown,
     * as queries do not read them. */
    if ((rc = kiln_blocks_visible(st, tenant, cli_keylist_collect, &l))) {
        exit_code = cli_fail("ls", rc);
        goto out;
    }
    if (!json)
        printf("%-46s %-20s %-20s %10s %8s %12s\n", "BLOCK", "FROM", "TO",
               "SIZE", "SERIES", "SAMPLES");
    for (size_t i = 0; i < l.n; i++) {
        kiln_block *b = NULL;
        if ((rc = kiln_block_open(&b, st, l.keys[i]))) {
            cli_errorf("ls", "%s: %s", l.keys[i],
                       *kiln_error_last() ? kiln_error_last()
                                          : kiln_strerror(rc));
            if (exit_code == CLI_EXIT_OK)
                exit_code = cli_exit_code(rc);
            continue;
        }
        const kiln_block_info *in = kiln_block_info_get(b);
        char from[48], to[48], size[32];
        cli_format_time(in->tmin, from);
        cli_format_time(in->tmax, to);
        cli_format_bytes(in->size, size);
        if (json) {
            printf("{\"key\":");
            cli_json_str(stdout, l.keys[i]);
            printf(",\"id\":");
            cli_json_str(stdout, in->id ? in->id : "");
            printf(",\"tenant\":");
            cli_json_str(stdout, in->tenant ? in->tenant : "");
            printf(",\"from\":\"%s\",\"to\":\"%s\",\"tmin_ns\":%" PRId64
                   ",\"tmax_ns\":%" PRId64 ",\"size\":%" PRIu64
                   ",\"series\":%" PRIu64 ",\"samples\":%" PRIu64
                   ",\"profiles\":%" PRIu64 ",\"level\":%u}\n",
                   from, to, in->tmin, in->tmax, in->size, in->nseries,
                   in->nsamples, in->nprofiles, (unsigned)in->level);
        } else {
            printf("%-46s %-20s %-20s %10s %8" PRIu64 " %12" PRIu64 "\n",
                   l.keys[i], from, to, size, in->nseries, in->nsamples);
        }
        tsize += in->size;
        tseries += in->nseries;
        tsamples += in->nsamples;
        kiln_block_free(b);
    }
    if (!json) {
        char size[32];
        cli_format_bytes(tsize, size);
        printf("%zu block%s, %s, %" PRIu64 " series (summed over blocks), "
               "%" PRIu64 " samples\n",
               l.n, l.n == 1 ? "" : "s", size, tseries, tsamples);
    }
out:
    cli_keylist_free(&l);
    kiln_store_free(st);
    return exit_code;
}

int cmd_cp(int argc, char **argv)
{
    static const struct option opts[] = {
        {"tenant", required_argument, NULL, 't'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *tenant = "default";
    int quiet = 0, c, rc, exit_code = CLI_EXIT_OK;
    kiln_store *src = NULL, *dst = NULL;
    cli_keylist l = {0};
    size_t copied = 0, nexisted = 0, failed = 0;
    uint64_t bytes = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "t:qh", opts, NULL)) != -1) {
        switch (c) {
        case 't': tenant = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': fputs(cmd_cp_help, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("cp", "unknown option");
        }
    }
    if (argc - optind != 2)
        return cli_usage_error("cp", "want SRC and DST stores");
    if ((rc = kiln_store_open(&src, argv[optind])))
        return cli_fail("cp", rc);
    if ((rc = kiln_store_open(&dst, argv[optind + 1]))) {
        exit_code = cli_fail("cp", rc);
        goto out;
    }
    if ((rc = kiln_blocks_list(src, tenant, cli_keylist_collect, &l))) {
        exit_code = cli_fail("cp", rc);
        goto out;
    }
    for (size_t i = 0; i < l.n; i++) {
        int existed = 0;
        rc = kiln_block_copy(src, dst, l.keys[i], &existed);
        if (rc) {
            failed++;
            cli_errorf("cp", "FAIL %s: %s", l.keys[i],
                       *kiln_error_last() ? kiln_error_last()
                                          : kiln_strerror(rc));
            if (exit_code == CLI_EXIT_OK)
                exit_code = cli_exit_code(rc);
            /* a store that refuses us will refuse every block */
            if (rc == KILN_EAUTH)
                break;
            continue;
        }
        if (!existed) {
            copied++;
            bytes += l.sizes[i];
        } else {
            nexisted++;
        }
        if (!quiet)
            printf("%s %s (%" PRIu64 " bytes, verified)\n",
                   existed ? "exists" : "copied", l.keys[i], l.sizes[i]);
    }
    {
        char b[32];
        cli_format_bytes(bytes, b);
        printf("%zu copied (%s), %zu already there, %zu failed, of %zu "
               "block%s\n", copied, b, nexisted, failed, l.n,
               l.n == 1 ? "" : "s");
    }
out:
    cli_keylist_free(&l);
    kiln_store_free(src);
    kiln_store_free(dst);
    return exit_code;
}
