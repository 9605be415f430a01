/* cmd_query.c: `kiln query`, a selection (time range, label matchers, sample
 * type, trace) over every block of a store, rendered as top functions,
 * folded stacks, gzip'd pprof, JSON or a flame graph (SVG, HTML), or
 * exported row by row as CSV. */
#include "cli_util.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kiln/flame.h>
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
    "                       host=~\"web-.*\"}' (=, !=, =~, !~); a label name\n"
    "                       may be quoted: '{\"host name\"=\"x\"}'\n"
    "  -y, --type T         sample type, \"cpu\" or \"cpu:nanoseconds\" (default: all;\n"
    "                       top and folded then show the last type, as pprof does)\n"
    "  -F, --format F       top (default; values in human units as go tool pprof\n"
    "                       -top prints them: 1.96s, 2.50MB, 12.35k), folded,\n"
    "                       pprof (gzip'd, with sample labels and trace links),\n"
    "                       svg (a flame graph: one self-contained file, no\n"
    "                       network: tooltips, click to zoom, search), html (the\n"
    "                       flame graph and a sortable top-functions table on\n"
    "                       one page), json, csv (one line per\n"
    "                       stored sample row, nothing summed: time_ns, the label\n"
    "                       columns, trace_id and span_id (hex, empty without a\n"
    "                       link), stack (folded: root first, ';'-joined), then\n"
    "                       one column per sample type; rows in store order, not\n"
    "                       sorted by time)\n"
    "      --columns L,...  csv: the series labels to give columns, in order\n"
    "                       (default: every label name of the selected series,\n"
    "                       sorted; \"\" = none); a series without one gets \"\"\n"
    "  -o, --output FILE    write to FILE instead of stdout (required for pprof\n"
    "                       when stdout is a terminal)\n"
    "  -n, --limit N        top: rows to print (default 20, 0 = all); html:\n"
    "                       rows of the functions table (default 1000)\n"
    "      --icicle         svg, html: draw top-down (root at the top)\n"
    "      --min-frame PCT  svg, html: frames below PCT % of the total merge into\n"
    "                       one \"other\" frame per parent, and the graph says how\n"
    "                       much merged (default 0.05, 0 = draw every frame)\n"
    "      --stats          print blocks and pages read, store requests and bytes\n"
    "                       to stderr\n"
    "      --strict         fail (exit 2, or 3 for a store error) on a block that\n"
    "                       cannot be read; by default such a block is named on\n"
    "                       stderr, left out whole, the answer comes from the rest\n"
    "                       and the exit code is 6 (partial answer)\n"
    "\n"
    "Traces (a sample's link: trace_id/span_id labels of pprof, OTLP links):\n"
    "      --trace-id HEX   only the samples of this trace (32 hex digits), over\n"
    "                       the whole store (or --from/--to): blocks whose bloom\n"
    "                       filter rules the trace out cost one small read, and\n"
    "                       only the pages holding the trace are read. No samples:\n"
    "                       an empty result, a note on stderr, exit 0\n"
    "      --span-id HEX    with --trace-id: only this span (16 hex digits)\n"
    "      --list-traces    list the trace ids of the selection (--match, --from,\n"
    "                       --to) heaviest first: samples, and the sum of --type\n"
    "                       (default: each profile's default type, e.g. cpu);\n"
    "                       --limit rows (default 20, 0 = all); --format json\n"
    "                       gives a JSON array\n"
    "      --scan-traces    with --trace-id: find the trace the way stores without\n"
    "                       a trace index do (decode every page in range, test each\n"
    "                       row's link); same answer, for benchmarks\n"
    "      --bloom-fpr N    test N random trace ids against every block's bloom\n"
    "                       filter and print the measured false-positive rate\n"
    "  -h, --help           this help\n"
    "\n"
    "Examples:\n"
    "  kiln query --store data --match '{service_name=\"checkout\"}' --from now-1h\n"
    "  kiln query --store data --from 2026-11-24T00:00:00Z --to 2026-11-24T01:00:00Z \\\n"
    "             --format pprof -o checkout.pb.gz && go tool pprof -top checkout.pb.gz\n"
    "  kiln query --store data --format folded --type cpu > stacks.folded\n"
    "  kiln query --store data --match '{service_name=\"checkout\"}' --from now-1h \\\n"
    "             --format svg -o checkout.svg\n"
    "  kiln query --store data --format csv --columns service_name,host \\\n"
    "             --from now-1h -o samples.csv\n"
    "  kiln query --store data --list-traces --match '{service_name=\"checkout\"}' \\\n"
    "             --from now-1h --limit 10\n"
    "  kiln query --store data --trace-id 4bf92f3577b34da6a3ce929d0e0e4736 \\\n"
    "             --format svg -o trace.svg\n";

/* --list-traces: the heaviest traces of the selection. */
static int list_traces_cmd(const char *url, const char *tenant,
                           const kiln_query_opts *o, uint64_t limit, int json,
                           int stats)
{
    kiln_store *st = NULL;
    kiln_trace_entry *e = NULL;
    size_t n = 0;
    int rc, exit_code = CLI_EXIT_OK;

    if ((rc = kiln_store_open(&st, url)) != 0 ||
        (rc = kiln_list_traces(st, tenant, o, (size_t)limit, &e, &n)) != 0) {
        exit_code = cli_fail("query", rc);
        goto out;
    }
    if (n == 0)
        cli_errorf("query", "no traced samples in the selection (tenant %s)",
                   tenant);
    if (json)
        fputc('[', stdout);
    else
        printf("%-32s %12s %16s %8s  %s\n", "TRACE_ID", "SAMPLES", "VALUE",
               "ROWS", "FIRST");
    for (size_t i = 0; i < n; i++) {
        char id[33], t[48];
        kiln_trace_id_format(e[i].trace_id, id);
        cli_format_time(e[i].tmin, t);
        if (json)
            printf("%s{\"trace_id\":\"%s\",\"samples\":%lld,\"value\":%lld,"
                   "\"rows\":%llu,\"tmin_ns\":%lld,\"tmax_ns\":%lld}",
                   i ? "," : "", id, (long long)e[i].samples,
                   (long long)e[i].value, (unsigned long long)e[i].rows,
                   (long long)e[i].tmin, (long long)e[i].tmax);
        else
            printf("%-32s %12lld %16lld %8llu  %s\n", id,
                   (long long)e[i].samples, (long long)e[i].value,
                   (unsigned long long)e[i].rows, t);
    }
    if (json)
        fputs("]\n", stdout);
    if (fflush(stdout) != 0) {
        exit_code = cli_fail("query", kiln_error_set(KILN_EIO, "stdout: "
                                                     "write failed"));
        goto out;
    }
    if (stats)
        fprintf(stderr, "store: %llu requests, %llu bytes read\n",
                (unsigned long long)st->stats.requests,
                (unsigned long long)st->stats.bytes_read);
out:
    free(e);
    kiln_store_free(st);
    return exit_code;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* --bloom-fpr N: N random ids (fixed seed) against every block's filter;
 * a "maybe" for an id the block's links lack is a false positive. */
static int bloom_fpr(const char *url, const char *tenant, uint64_t n)
{
    kiln_store *st = NULL;
    kiln_block *b = NULL;
    cli_keylist k = {0};
    uint64_t fp_all = 0, tests = 0, nblk = 0;
    double worst = 0, expect_worst = 0;
    int rc, exit_code = CLI_EXIT_OK;

    if ((rc = kiln_store_open(&st, url)) != 0 ||
        (rc = kiln_blocks_list(st, tenant, cli_keylist_collect, &k)) != 0)
        goto fail;
    for (size_t i = 0; i < k.n; i++) {
        uint64_t seed = 0x6b696c6e, fp = 0;
        if ((rc = kiln_block_open(&b, st, k.keys[i])) != 0)
            goto fail;
        const kiln_block_info *in = kiln_block_info_get(b);
        if (in->ntraces == 0) {
            kiln_block_free(b);
            b = NULL;
            continue;
        }
        for (uint64_t j = 0; j < n; j++) {
            uint8_t id[16];
            uint64_t a = splitmix(&seed), c = splitmix(&seed);
            memcpy(id, &a, 8);
            memcpy(id + 8, &c, 8);
            int m = kiln_block_trace_maybe(b, id);
            if (m < 0) {
                rc = m;
                goto fail;
            }
            if (m) {
                int64_t l = kiln_block_trace_links(b, id);
                if (l < 0) {
                    rc = (int)l;
                    goto fail;
                }
                fp += l == 0;
            }
        }
        double rate = (double)fp / (double)n;
        if (rate > worst)
            worst = rate;
        if (in->bloom_fpp > expect_worst)
            expect_worst = in->bloom_fpp;
        fp_all += fp;
        tests += n;
        nblk++;
        kiln_block_free(b);
        b = NULL;
    }
    printf("bloom: %llu random ids x %llu blocks with traces: %llu false "
           "positives, rate %.5f (worst block %.5f; expected at most %.5f)\n",
           (unsigned long long)n, (unsigned long long)nblk,
           (unsigned long long)fp_all,
           tests ? (double)fp_all / (double)tests : 0.0, worst, expect_worst);
    goto out;
fail:
    exit_code = cli_fail("query", rc);
out:
    kiln_block_free(b);
    cli_keylist_free(&k);
    kiln_store_free(st);
    return exit_code;
}

/* ---- --format csv ---- */

typedef struct csv_out {
    FILE *f;          /* stdout or the -o file */
    kiln_buf b;       /* pending bytes, written out past 1 MiB */
    int rc;           /* first write error */
} csv_out;

/* A CSV field (RFC 4180): quoted, with quotes doubled, when it holds a
 * comma, a quote or a line break. */
/* --stats: what the query read, and its time since t0 (returned, s). */
static double print_stats(const kiln_store *st, const kiln_result_stats *rs,
                          const struct timespec *t0)
{
    struct timespec t1;
    char br[32];

    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0->tv_sec) +
                  (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
    cli_format_bytes(st->stats.bytes_read, br);
    fprintf(stderr,
            "blocks: %llu read of %llu; pages: %llu read of %llu; rows: %llu; "
            "store: %llu requests, %s read (%llu bytes); %.3f s\n",
            (unsigned long long)rs->blocks_read,
            (unsigned long long)rs->blocks_total,
            (unsigned long long)rs->pages_read,
            (unsigned long long)rs->pages_total, (unsigned long long)rs->rows,
            (unsigned long long)st->stats.requests, br,
            (unsigned long long)st->stats.bytes_read, secs);
    return secs;
}

static int csv_field(kiln_buf *b, const char *s, size_t n)
{
    if (strcspn(s, ",\"\r\n") >= n)
        return kiln_buf_append(b, s, n);
    int rc = kiln_buf_append(b, "\"", 1);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = s[i] == '"' ? kiln_buf_append(b, "\"\"", 2)
                         : kiln_buf_append(b, s + i, 1);
    return rc ? rc : kiln_buf_append(b, "\"", 1);
}

static int csv_i64(kiln_buf *b, int64_t v)
{
    char tmp[24], *p = tmp + sizeof tmp;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    return kiln_buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

static int csv_flush(csv_out *c)
{
    if (c->b.len && fwrite(c->b.data, 1, c->b.len, c->f) != c->b.len)
        return kiln_error_set(KILN_EIO, "csv: write failed: %s",
                              strerror(errno));
    kiln_buf_reset(&c->b);
    return 0;
}

/* The header (row NULL): time_ns, the labels, trace_id, span_id, stack,
 * the types (a type named twice gets its unit: "alloc_space_bytes"); then
 * one line a row (trace_id and span_id empty for a row without a link). */
static int csv_row(void *ud, const kiln_rows_schema *s, const kiln_row *row)
{
    csv_out *c = ud;
    kiln_buf *b = &c->b;
    int rc = 0;

    if (row == NULL) {
        rc = kiln_buf_append(b, "time_ns", 7);
        for (size_t i = 0; rc == 0 && i < s->nlabels; i++)
            if ((rc = kiln_buf_append(b, ",", 1)) == 0)
                rc = csv_field(b, s->labels[i], strlen(s->labels[i]));
        if (rc == 0)
            rc = kiln_buf_append(b, ",trace_id,span_id,stack", 23);
        for (size_t i = 0; rc == 0 && i < s->ntypes; i++) {
            int twice = 0;
            for (size_t j = 0; j < s->ntypes; j++)
                twice |= j != i && strcmp(s->types[i], s->types[j]) == 0;
            char name[512];
            int n = snprintf(name, sizeof name, twice ? "%s_%s" : "%s",
                             s->types[i], s->units[i]);
            if (n < 0 || (size_t)n >= sizeof name)
                n = (int)strlen(name);
            if ((rc = kiln_buf_append(b, ",", 1)) == 0)
                rc = csv_field(b, name, (size_t)n);
        }
        return rc ? rc : kiln_buf_append(b, "\n", 1);
    }
    rc = csv_i64(b, row->time);
    for (size_t i = 0; rc == 0 && i < s->nlabels; i++)
        if ((rc = kiln_buf_append(b, ",", 1)) == 0)
            rc = csv_field(b, row->labels[i], strlen(row->labels[i]));
    if (rc == 0 && row->trace_id) {
        char t[33], sp[17];
        kiln_trace_id_format(row->trace_id, t);
        kiln_span_id_format(row->span_id, sp);
        if ((rc = kiln_buf_append(b, ",", 1)) == 0 &&
            (rc = kiln_buf_append(b, t, 32)) == 0 &&
            (rc = kiln_buf_append(b, ",", 1)) == 0)
            rc = kiln_buf_append(b, sp, 16);
    } else if (rc == 0) {
        rc = kiln_buf_append(b, ",,", 2);
    }
    if (rc == 0 && (rc = kiln_buf_append(b, ",", 1)) == 0)
        rc = csv_field(b, row->stack, row->stack_len);
    for (size_t i = 0; rc == 0 && i < s->ntypes; i++)
        if ((rc = kiln_buf_append(b, ",", 1)) == 0)
            rc = csv_i64(b, row->values[i]);
    if (rc == 0)
        rc = kiln_buf_append(b, "\n", 1);
    if (rc == 0 && b->len >= (1u << 20))
        rc = csv_flush(c);
    return rc;
}

/* Split "a,b,c" into names (malloc'd array into one malloc'd copy); ""
 * gives none. */
static int split_columns(const char *spec, char **copy, const char ***names,
                         size_t *n)
{
    size_t cap = 1;
    *n = 0;
    for (const char *p = spec; *p; p++)
        cap += *p == ',';
    *copy = strdup(spec);
    *names = malloc(cap * sizeof **names);
    if (!*copy || !*names)
        return kiln_error_set(KILN_ENOMEM, "query: out of memory");
    if (!spec[0])
        return 0;
    for (char *p = *copy, *e;; p = e + 1) {
        e = strchr(p, ',');
        if (e)
            *e = '\0';
        if (!*p)
            return kiln_error_set(KILN_EINVAL, "--columns \"%s\": an empty "
                                  "label name", spec);
        (*names)[(*n)++] = p;
        if (!e)
            break;
    }
    return 0;
}

/* --format csv: every selected row, one line each. */
static int csv_cmd(const char *url, const char *tenant,
                   const kiln_query_opts *o, const char *columns,
                   const char *outpath, int stats,
                   const struct timespec *t0)
{
    kiln_store *st = NULL;
    kiln_result *r = NULL;
    csv_out c = {stdout, KILN_BUF_INIT, 0};
    char *copy = NULL;
    const char **names = NULL;
    size_t nnames = 0;
    int rc, exit_code = CLI_EXIT_OK;

    if (columns && (rc = split_columns(columns, &copy, &names, &nnames)) < 0) {
        exit_code = rc == KILN_EINVAL ? cli_usage_error("query", "%s",
                                                        kiln_error_last())
                                      : cli_fail("query", rc);
        goto out;
    }
    if (outpath && !(c.f = fopen(outpath, "wb"))) {
        exit_code = cli_fail("query", kiln_error_set(
            errno == ENOENT ? KILN_ENOTFOUND : KILN_EIO, "%s: %s", outpath,
            strerror(errno)));
        goto out;
    }
    kiln_query_opts ol = *o;
    ol.keep_labels = 1; /* rows carry their trace links */
    if ((rc = kiln_store_open(&st, url)) != 0 ||
        (rc = kiln_result_new(&r, &ol)) != 0 ||
        (rc = kiln_query_rows(r, st, tenant, columns ? names : NULL, nnames,
                              csv_row, &c)) != 0 ||
        (rc = csv_flush(&c)) != 0) {
        exit_code = cli_fail("query", rc);
        goto out;
    }
    if (fflush(c.f) != 0 || (outpath && fclose(c.f) != 0)) {
        c.f = NULL;
        exit_code = cli_fail("query", kiln_error_set(KILN_EIO, "%s: write "
                             "failed", outpath ? outpath : "stdout"));
        goto out;
    }
    if (outpath)
        c.f = NULL;
    kiln_result_stats rs;
    kiln_result_stats_get(r, &rs);
    if (rs.rows == 0)
        cli_errorf("query", "no samples matched (%llu block%s in the store "
                   "for tenant %s)", (unsigned long long)rs.blocks_total,
                   rs.blocks_total == 1 ? "" : "s", tenant);
    if (stats)
        print_stats(st, &rs, t0);
out:
    if (outpath && c.f)
        fclose(c.f);
    kiln_buf_free(&c.b);
    free(copy);
    free(names);
    kiln_result_free(r);
    kiln_store_free(st);
    return exit_code;
}

int cmd_query(int argc, char **argv)
{
    enum { OPT_STATS = 1000, OPT_TRACE, OPT_SPAN, OPT_LIST, OPT_SCAN,
           OPT_FPR, OPT_COLUMNS, OPT_ICICLE, OPT_MIN_FRAME, OPT_STRICT };
    static const struct option opts[] = {
        CLI_OPTS_STORE,
        {"match", required_argument, NULL, 'm'},
        CLI_OPTS_RENDER,
        {"stats", no_argument, NULL, OPT_STATS},
        {"trace-id", required_argument, NULL, OPT_TRACE},
        {"span-id", required_argument, NULL, OPT_SPAN},
        {"list-traces", no_argument, NULL, OPT_LIST},
        {"scan-traces", no_argument, NULL, OPT_SCAN},
        {"bloom-fpr", required_argument, NULL, OPT_FPR},
        {"columns", required_argument, NULL, OPT_COLUMNS},
        {"icicle", no_argument, NULL, OPT_ICICLE},
        {"min-frame", required_argument, NULL, OPT_MIN_FRAME},
        {"strict", no_argument, NULL, OPT_STRICT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *url = NULL, *tenant = "default", *format = "top", *outpath = NULL;
    uint64_t limit = 20, fpr_n = 0;
    uint8_t trace[16], span[8];
    const char *trace_hex = NULL, *span_hex = NULL, *columns = NULL;
    int list_traces = 0, limit_set = 0, icicle = 0, min_frame_set = 0;
    double min_frame = 0.05;
    char title[512];
    int stats = 0, strict = 0, c, rc = 0, exit_code = CLI_EXIT_OK;
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    cli_skips skips = CLI_SKIPS_INIT("query");
    kiln_store *st = NULL;
    kiln_result *r = NULL;
    kiln_buf out = KILN_BUF_INIT;
    int64_t now = cli_now_ns();
    struct timespec t0;
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
        case 'n':
            rc = cli_parse_u64(optarg, 0, UINT32_MAX, "--limit", &limit);
            limit_set = 1;
            break;
        case OPT_STATS: stats = 1; break;
        case OPT_TRACE:
            trace_hex = optarg;
            if ((rc = kiln_trace_id_parse(trace, optarg)) == 0)
                o.trace_id = trace;
            break;
        case OPT_SPAN:
            span_hex = optarg;
            if ((rc = kiln_span_id_parse(span, optarg)) == 0)
                o.span_id = span;
            break;
        case OPT_LIST: list_traces = 1; break;
        case OPT_SCAN: o.trace_scan = 1; break;
        case OPT_FPR:
            rc = cli_parse_u64(optarg, 1, 100000000, "--bloom-fpr", &fpr_n);
            break;
        case OPT_COLUMNS: columns = optarg; break;
        case OPT_ICICLE: icicle = 1; break;
        case OPT_STRICT: strict = 1; break;
        case OPT_MIN_FRAME:
            rc = cli_parse_double(optarg, 0, 99, "--min-frame", &min_frame);
            min_frame_set = 1;
            break;
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
        strcmp(format, "pprof") != 0 && strcmp(format, "json") != 0 &&
        strcmp(format, "csv") != 0 && strcmp(format, "svg") != 0 &&
        strcmp(format, "html") != 0)
        return cli_usage_error("query", "bad --format \"%s\": expected top, "
                               "folded, pprof, json, csv, svg or html", format);
    int svg = strcmp(format, "svg") == 0, html = strcmp(format, "html") == 0;
    if ((icicle || min_frame_set) && !svg && !html)
        return cli_usage_error("query", "--icicle and --min-frame go with "
                               "--format svg or html");
    int csv = strcmp(format, "csv") == 0;
    if (columns && !csv)
        return cli_usage_error("query", "--columns goes with --format csv");
    if (o.from >= o.to)
        return cli_usage_error("query", "empty time range: --from is not before --to");
    if (span_hex && !trace_hex)
        return cli_usage_error("query", "--span-id needs --trace-id");
    if (o.trace_scan && !trace_hex)
        return cli_usage_error("query", "--scan-traces needs --trace-id");
    if (list_traces && trace_hex)
        return cli_usage_error("query", "--list-traces and --trace-id do not "
                               "go together");
    if (fpr_n)
        return bloom_fpr(url, tenant, fpr_n);
    cli_skips_attach(&skips, strict, &o);
    if (list_traces && csv)
        return cli_usage_error("query", "--list-traces has no csv format");
    if (csv)
        return cli_skips_exit(&skips, csv_cmd(url, tenant, &o, columns,
                                              outpath, stats, &t0));
    if (list_traces)
        return cli_skips_exit(&skips, list_traces_cmd(
            url, tenant, &o, limit_set ? limit : 20,
            strcmp(format, "json") == 0, stats));
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
    if (rs.rows == 0 && trace_hex)
        cli_errorf("query", "no samples for trace %s%s%s (%llu block%s "
                   "searched for tenant %s)", trace_hex,
                   span_hex ? " span " : "", span_hex ? span_hex : "",
                   (unsigned long long)rs.blocks_total,
                   rs.blocks_total == 1 ? "" : "s", tenant);
    else if (rs.rows == 0)
        cli_errorf("query", "no samples matched (%llu block%s in the store "
                   "for tenant %s)", (unsigned long long)rs.blocks_total,
                   rs.blocks_total == 1 ? "" : "s", tenant);
    size_t type = cli_pick_type(r, o.type);
    if (svg || html) {
        kiln_flame_opts fo = KILN_FLAME_OPTS_INIT;
        cli_selection_title(title, sizeof title, o.selector, trace_hex,
                            span_hex, o.type);
        fo.type = type;
        fo.min_frame = min_frame / 100;
        fo.icicle = icicle;
        fo.title = title;
        fo.from = o.from;
        fo.to = o.to;
        fo.table_rows = limit_set ? (size_t)limit : 0;
        rc = html ? kiln_flame_html(r, &fo, &out) : kiln_flame_svg(r, &fo, &out);
    } else if (pprof)
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
        rc = cli_write_out(outpath, out.data, out.len);
    if (rc != 0) {
        exit_code = cli_fail("query", rc);
        goto out;
    }
    if (stats) {
        double secs = print_stats(st, &rs, &t0);
        if (trace_hex) {
            kiln_trace_stats ts;
            kiln_result_trace_stats_get(r, &ts);
            fprintf(stderr,
                    "trace: %llu block%s searched, %llu pruned by bloom, "
                    "%llu bloom false positive%s, %llu holding it (%llu "
                    "link%s), %.3f ms%s\n",
                    (unsigned long long)ts.blocks_searched,
                    ts.blocks_searched == 1 ? "" : "s",
                    (unsigned long long)ts.blocks_bloom_pruned,
                    (unsigned long long)ts.bloom_false_positives,
                    ts.bloom_false_positives == 1 ? "" : "s",
                    (unsigned long long)ts.blocks_hit,
                    (unsigned long long)ts.links_matched,
                    ts.links_matched == 1 ? "" : "s", secs * 1e3,
                    o.trace_scan ? " [scan: every page in range]" : "");
        }
    }
out:
    kiln_buf_free(&out);
    kiln_result_free(r);
    kiln_store_free(st);
    return cli_skips_exit(&skips, exit_code);
}
