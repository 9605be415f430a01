/* cmd_query.c: `kiln query`, a selection (time range, label matchers, sample
 * type) over every block of a store, rendered as top functions, folded
 * stacks, gzip'd pprof or JSON. */
#include "cli_util.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kiln/reader.h>
#include <kiln/store.h>

const char cmd_query_help[] =
    "Usage: kiln query --store URL [options]\n"
    "\n"
    "Aggregate the samples of every block of a tenant that overlap the time\n"
    "range (no --from/--to: all of them) and match the selector, and print\n"
    "them. Samples count when FROM <= time < TO.\n"
    "\n"
    "Options:\n"
    "  -s, --store URL      store: a directory or file:///path (required)\n"
    "  -t, --tenant T       tenant (default \"default\")\n"
    "  -f, --from T         start of the range, inclusive\n"
    "  -u, --to T           end of the range, exclusive\n"
    "                       T: RFC 3339 (2026-11-24T01:00:00Z, or with an offset\n"
    "                       like +02:00), unix seconds, now, now-1h, now-30m\n"
    "  -m, --match SEL      series selector, e.g. '{service_name=\"checkout\",\n"
    "                       host=~\"web-.*\"}' (=, !=, =~, !~)\n"
    "  -y, --type T         sample type, \"cpu\" or \"cpu:nanoseconds\" (default: all;\n"
    "                       top and folded then show the last type, as pprof does)\n"
    "  -F, --format F       top (default), folded, pprof (gzip'd, with sample\n"
    "                       labels and trace links), json\n"
    "  -o, --output FILE    write to FILE instead of stdout (required for pprof\n"
    "                       when stdout is a terminal)\n"
    "  -n, --limit N        top: rows to print (default 20, 0 = all)\n"
    "      --stats          print blocks and pages read, store requests and bytes\n"
    "                       to stderr\n"
    "  -h, --help           this help\n"
    "\n"
    "Examples:\n"
    "  kiln query --store data --match '{service_name=\"checkout\"}' --from now-1h\n"
    "  kiln query --store data --from 2026-11-24T00:00:00Z --to 2026-11-24T01:00:00Z \\\n"
    "             --format pprof -o checkout.pb.gz && go tool pprof -top checkout.pb.gz\n"
    "  kiln query --store data --format folded --type cpu > stacks.folded\n";

static int write_out(const char *path, const void *p, size_t n)
{
    FILE *f = path ? fopen(path, "wb") : stdout;
    if (f == NULL)
        return kiln_error_set(errno == ENOENT ? KILN_ENOTFOUND : KILN_EIO,
                              "%s: %s", path, strerror(errno));
    size_t w = n ? fwrite(p, 1, n, f) : 0;
    int err = w != n || fflush(f) != 0;
    if (path && fclose(f) != 0)
        err = 1;
    if (err)
        return kiln_error_set(KILN_EIO, "%s: write failed: %s",
                              path ? path : "stdout", strerror(errno));
    return 0;
}

/* Index of the sample type named by --type ("cpu" or "cpu:nanoseconds"),
 * else the last one (pprof's default). */
static size_t pick_type(const kiln_result *r, const char *want)
{
    size_t n = kiln_result_ntypes(r);
    if (want) {
        const char *colon = strchr(want, ':');
        size_t tl = colon ? (size_t)(colon - want) : strlen(want);
        for (size_t i = 0; i < n; i++) {
            const char *type, *unit;
            kiln_result_type(r, i, &type, &unit);
            if (strlen(type) == tl && strncmp(type, want, tl) == 0 &&
                (colon == NULL || strcmp(unit, colon + 1) == 0))
                return i;
        }
    }
    return n ? n - 1 : 0;
}

int cmd_query(int argc, char **argv)
{
    enum { OPT_STATS = 1000 };
    static const struct option opts[] = {
        {"store", required_argument, NULL, 's'},
        {"tenant", required_argument, NULL, 't'},
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 'u'},
        {"match", required_argument, NULL, 'm'},
        {"type", required_argument, NULL, 'y'},
        {"format", required_argument, NULL, 'F'},
        {"output", required_argument, NULL, 'o'},
        {"limit", required_argument, NULL, 'n'},
        {"stats", no_argument, NULL, OPT_STATS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *url = NULL, *tenant = "default", *format = "top", *outpath = NULL;
    uint64_t limit = 20;
    int stats = 0, c, rc = 0, exit_code = CLI_EXIT_OK;
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    kiln_store *st = NULL;
    kiln_result *r = NULL;
    kiln_buf out = KILN_BUF_INIT;
    int64_t now = cli_now_ns();
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    optind = 0;
    while ((c = getopt_long(argc, argv, "s:t:f:u:m:y:F:o:n:h", opts, NULL)) != -1) {
        switch (c) {
        case 's': url = optarg; break;
        case 't': tenant = optarg; break;
        case 'f': rc = cli_parse_time(optarg, now, &o.from); break;
        case 'u': rc = cli_parse_time(optarg, now, &o.to); break;
        case 'm': o.selector = optarg; break;
        case 'y': o.type = optarg; break;
        case 'F': format = optarg; break;
        case 'o': outpath = optarg; break;
        case 'n': rc = cli_parse_u64(optarg, 0, UINT32_MAX, "--limit", &limit); break;
        case OPT_STATS: stats = 1; break;
        case 'h': fputs(cmd_query_help, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("query", "bad option");
        }
        if (rc != 0)
            return cli_usage_error("query", "%s", kiln_error_last());
    }
    if (optind < argc)
        return cli_usage_error("query", "unexpected argument \"%s\"", argv[optind]);
    if (url == NULL)
        return cli_usage_error("query", "--store URL is required");
    if (strcmp(format, "top") != 0 && strcmp(format, "folded") != 0 &&
        strcmp(format, "pprof") != 0 && strcmp(format, "json") != 0)
        return cli_usage_error("query", "bad --format \"%s\": expected top, "
                               "folded, pprof or json", format);
    if (o.from >= o.to)
        return cli_usage_error("query", "empty time range: --from is not before --to");
    int pprof = strcmp(format, "pprof") == 0;
    if (pprof && outpath == NULL && cli_stdout_is_tty())
        return cli_usage_error("query", "--format pprof writes gzip'd binary; "
                               "give -o FILE or redirect stdout");
    o.keep_labels = pprof;

    if ((rc = kiln_store_open(&st, url)) != 0 ||
        (rc = kiln_query(&r, st, tenant, &o)) != 0) {
        exit_code = cli_fail("query", rc);
        goto out;
    }
    kiln_result_stats rs;
    kiln_result_stats_get(r, &rs);
    if (rs.rows == 0)
        cli_errorf("query", "no samples matched (%llu block%s in the store "
                   "for tenant %s)", (unsigned long long)rs.blocks_total,
                   rs.blocks_total == 1 ? "" : "s", tenant);
    size_t type = pick_type(r, o.type);
    if (pprof)
        rc = kiln_result_pprof(r, &out);
    else if (strcmp(format, "json") == 0)
        rc = kiln_result_json(r, &out);
    else if (kiln_result_ntypes(r) == 0)
        rc = 0; /* nothing to show */
    else if (strcmp(format, "folded") == 0)
        rc = kiln_result_folded(r, type, &out);
    else
        rc = kiln_result_top_text(r, type, (size_t)limit, &out);
    if (rc == 0)
        rc = write_out(outpath, out.data, out.len);
    if (rc != 0) {
        exit_code = cli_fail("query", rc);
        goto out;
    }
    if (stats) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double secs = (double)(t1.tv_sec - t0.tv_sec) +
                      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        char br[32];
        cli_format_bytes(st->stats.bytes_read, br);
        fprintf(stderr,
                "blocks: %llu read of %llu; pages: %llu read of %llu; rows: %llu; "
                "store: %llu requests, %s read (%llu bytes); %.3f s\n",
                (unsigned long long)rs.blocks_read,
                (unsigned long long)rs.blocks_total,
                (unsigned long long)rs.pages_read,
                (unsigned long long)rs.pages_total, (unsigned long long)rs.rows,
                (unsigned long long)st->stats.requests, br,
                (unsigned long long)st->stats.bytes_read, secs);
    }
out:
    kiln_buf_free(&out);
    kiln_result_free(r);
    kiln_store_free(st);
    return exit_code;
}
