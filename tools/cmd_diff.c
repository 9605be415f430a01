/* cmd_diff.c: `kiln diff`, two selections of a store (each its own
 * selector, time window or trace) compared by share of their totals: a
 * differential flame graph or a table, and a regression gate for CI that
 * exits 5 when a function's share grew by more than a limit. */
#include "cli_util.h"

#include <getopt.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include <kiln/flame.h>
#include <kiln/reader.h>
#include <kiln/store.h>

const char cmd_diff_help[] =
    "Usage: kiln diff --store URL [--base SEL] [--target SEL] [options]\n"
    "\n"
    "Compare two selections of a store: the base (before) and the target\n"
    "(after), each a series selector as --match takes it, its own time\n"
    "window and optionally one trace. Values are normalised by each side's\n"
    "total, so a function's share (percent of its side's total) is compared,\n"
    "not raw values: an hour against ten minutes compares fine.\n"
    "\n"
    "Options:\n"
    "  -s, --store URL        store: a directory or file:///path (required)\n"
    "  -t, --tenant T         tenant (default \"default\")\n"
    "      --base SEL         base selector, e.g. '{service_name=\"checkout\",\n"
    "                         version=\"1.4\"}' (default: every series)\n"
    "      --target SEL       target selector (default: every series)\n"
    "  -f, --from T, -u, --to T  the time range of both sides\n"
    "      --base-from T, --base-to T      the base side's range\n"
    "      --target-from T, --target-to T  the target side's range\n"
    "                         T as kiln query takes it (RFC 3339, unix seconds,\n"
    "                         now-1h)\n"
    "      --base-trace HEX   base: only the samples of this trace\n"
    "      --target-trace HEX target: only the samples of this trace\n"
    "  -y, --type T           sample type (default: the last one, as pprof)\n"
    "  -F, --format F         text (default: the functions whose share changed\n"
    "                         most, flat and cumulative), svg (a differential\n"
    "                         flame graph: the target's frames, red where the\n"
    "                         share grew, blue where it shrank, grey unchanged),\n"
    "                         html (the graph and the table, sortable)\n"
    "  -o, --output FILE      write to FILE instead of stdout\n"
    "  -n, --limit N          text: rows (default 20, 0 = all); html: table rows\n"
    "                         (default 1000)\n"
    "      --min-frame PCT    svg, html: frames below PCT % of both totals merge\n"
    "                         into one \"other\" frame per parent (default 0.05)\n"
    "      --icicle           svg, html: draw top-down\n"
    "\n"
    "Regression gate:\n"
    "      --fail-above PCT   exit 5 when a function's cumulative share (its\n"
    "                         samples and its callees', percent of the total)\n"
    "                         grew by more than PCT percentage points from base\n"
    "                         to target; the offenders are printed to stderr\n"
    "      --function REGEX   with --fail-above: only functions whose name\n"
    "                         matches REGEX (POSIX extended, unanchored)\n"
    "\n"
    "      --strict           fail on a block that cannot be read (default: name\n"
    "                         it on stderr, leave it out, exit 6 at the end)\n"
    "\n"
    "Exit codes: 0 no regression (or no gate), 1 usage, 2 bad data, 3 store or\n"
    "file error, 4 not found, 5 a share grew by more than --fail-above (even\n"
    "when blocks were left out), 6 partial answer (unreadable blocks left out).\n"
    "\n"
    "Examples:\n"
    "  kiln diff --store data --base '{service_name=\"checkout\",version=\"1.4\"}' \\\n"
    "            --target '{service_name=\"checkout\",version=\"1.5\"}' \\\n"
    "            --from now-1h --format svg -o checkout-1.5.svg\n"
    "  kiln diff --store data --base '{service_name=\"checkout\"}' \\\n"
    "            --base-from now-2h --base-to now-1h --target-from now-1h \\\n"
    "            --target '{service_name=\"checkout\"}' --fail-above 2 \\\n"
    "            --function 'json\\.' || echo 'profile regressed'\n";

typedef struct side {
    const char *selector;
    int64_t from, to;
    const char *trace_hex;
    uint8_t trace[16];
    kiln_result *r;
    size_t type;
    char title[512];
} side;

static int run_side(kiln_store *st, const char *tenant, side *s,
                    const char *type, cli_skips *skips, int strict)
{
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    int rc;

    cli_skips_attach(skips, strict, &o);
    o.from = s->from;
    o.to = s->to;
    o.selector = s->selector;
    o.type = type;
    if (s->trace_hex)
        o.trace_id = s->trace;
    if ((rc = kiln_query(&s->r, st, tenant, &o)) < 0)
        return rc;
    s->type = cli_pick_type(s->r, type);
    cli_selection_title(s->title, sizeof s->title, s->selector, s->trace_hex,
                        NULL, type);
    return 0;
}

/* --fail-above: print every function over the limit; 1 if any. */
static int gate(const kiln_diff_entry *e, size_t n, double limit,
                const regex_t *re)
{
    size_t bad = 0, matched = 0;

    for (size_t i = 0; i < n; i++) {
        if (re && regexec(re, e[i].name, 0, NULL, 0) != 0)
            continue;
        matched++;
        if (!(e[i].d_cum > limit))
            continue;
        bad++;
        cli_errorf("diff", "regression: %s: cumulative share %+.2f points "
                   "(flat %+.2f), more than %g", e[i].name, e[i].d_cum,
                   e[i].d_flat, limit);
    }
    if (re && matched == 0)
        cli_errorf("diff", "--function matches no function of either side");
    if (bad)
        cli_errorf("diff", "%zu function%s grew by more than %g points",
                   bad, bad == 1 ? "" : "s", limit);
    return bad > 0;
}

int cmd_diff(int argc, char **argv)
{
    enum { OPT_BASE = 1000, OPT_TARGET, OPT_BFROM, OPT_BTO, OPT_TFROM,
           OPT_TTO, OPT_BTRACE, OPT_TTRACE, OPT_MIN_FRAME, OPT_ICICLE,
           OPT_FAIL, OPT_FUNCTION, OPT_STRICT };
    static const struct option opts[] = {
        CLI_OPTS_STORE,
        CLI_OPTS_RENDER,
        {"base", required_argument, NULL, OPT_BASE},
        {"target", required_argument, NULL, OPT_TARGET},
        {"base-from", required_argument, NULL, OPT_BFROM},
        {"base-to", required_argument, NULL, OPT_BTO},
        {"target-from", required_argument, NULL, OPT_TFROM},
        {"target-to", required_argument, NULL, OPT_TTO},
        {"base-trace", required_argument, NULL, OPT_BTRACE},
        {"target-trace", required_argument, NULL, OPT_TTRACE},
        {"min-frame", required_argument, NULL, OPT_MIN_FRAME},
        {"icicle", no_argument, NULL, OPT_ICICLE},
        {"fail-above", required_argument, NULL, OPT_FAIL},
        {"function", required_argument, NULL, OPT_FUNCTION},
        {"strict", no_argument, NULL, OPT_STRICT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *url = NULL, *tenant = "default", *format = "text";
    const char *outpath = NULL, *type = NULL, *function = NULL;
    side sd[2];
    double min_frame = 0.05, fail_above = -1;
    uint64_t limit = 20;
    int limit_set = 0, icicle = 0, c, rc = 0, exit_code = CLI_EXIT_OK;
    int have_re = 0, strict = 0;
    cli_skips skips = CLI_SKIPS_INIT("diff");
    int64_t now = cli_now_ns();
    regex_t re;
    kiln_store *st = NULL;
    kiln_diff_entry *e = NULL;
    size_t ne = 0;
    kiln_buf out = KILN_BUF_INIT;

    memset(sd, 0, sizeof sd);
    for (int i = 0; i < 2; i++) {
        sd[i].from = KILN_TIME_MIN;
        sd[i].to = KILN_TIME_MAX;
    }
    optind = 0;
    while ((c = getopt_long(argc, argv, "s:t:f:u:y:F:o:n:h", opts, NULL)) !=
           -1) {
        int64_t t;
        switch (c) {
        case 's': url = optarg; break;
        case 't': tenant = optarg; break;
        case 'f':
            if ((rc = cli_parse_time(optarg, now, &t)) == 0)
                sd[0].from = sd[1].from = t;
            break;
        case 'u':
            if ((rc = cli_parse_time(optarg, now, &t)) == 0)
                sd[0].to = sd[1].to = t;
            break;
        case OPT_BASE: sd[0].selector = optarg; break;
        case OPT_TARGET: sd[1].selector = optarg; break;
        case OPT_BFROM: rc = cli_parse_time(optarg, now, &sd[0].from); break;
        case OPT_BTO: rc = cli_parse_time(optarg, now, &sd[0].to); break;
        case OPT_TFROM: rc = cli_parse_time(optarg, now, &sd[1].from); break;
        case OPT_TTO: rc = cli_parse_time(optarg, now, &sd[1].to); break;
        case OPT_BTRACE:
            sd[0].trace_hex = optarg;
            rc = kiln_trace_id_parse(sd[0].trace, optarg);
            break;
        case OPT_TTRACE:
            sd[1].trace_hex = optarg;
            rc = kiln_trace_id_parse(sd[1].trace, optarg);
            break;
        case 'y': type = optarg; break;
        case 'F': format = optarg; break;
        case 'o': outpath = optarg; break;
        case 'n':
            rc = cli_parse_u64(optarg, 0, UINT32_MAX, "--limit", &limit);
            limit_set = 1;
            break;
        case OPT_MIN_FRAME:
            rc = cli_parse_double(optarg, 0, 99, "--min-frame", &min_frame);
            break;
        case OPT_ICICLE: icicle = 1; break;
        case OPT_FAIL:
            rc = cli_parse_double(optarg, 0, 100, "--fail-above", &fail_above);
            break;
        case OPT_FUNCTION: function = optarg; break;
        case OPT_STRICT: strict = 1; break;
        case 'h': fputs(cmd_diff_help, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("diff", "bad option");
        }
        if (rc != 0)
            return cli_usage_error("diff", "%s", kiln_error_last());
    }
    if (optind < argc)
        return cli_usage_error("diff", "unexpected argument \"%s\"",
                               argv[optind]);
    if (url == NULL)
        return cli_usage_error("diff", "--store URL is required");
    int svg = strcmp(format, "svg") == 0, html = strcmp(format, "html") == 0;
    if (!svg && !html && strcmp(format, "text") != 0)
        return cli_usage_error("diff", "bad --format \"%s\": expected text, "
                               "svg or html", format);
    for (int i = 0; i < 2; i++)
        if (sd[i].from >= sd[i].to)
            return cli_usage_error("diff", "empty %s time range: its from is "
                                   "not before its to",
                                   i ? "target" : "base");
    if (function && fail_above < 0)
        return cli_usage_error("diff", "--function goes with --fail-above");
    if (function) {
        int e2 = regcomp(&re, function, REG_EXTENDED | REG_NOSUB);
        if (e2 != 0) {
            char msg[256];
            regerror(e2, &re, msg, sizeof msg);
            return cli_usage_error("diff", "--function \"%s\": %s", function,
                                   msg);
        }
        have_re = 1;
    }

    if ((rc = kiln_store_open(&st, url)) != 0 ||
        (rc = run_side(st, tenant, &sd[0], type, &skips, strict)) != 0 ||
        (rc = run_side(st, tenant, &sd[1], type, &skips, strict)) != 0)
        goto fail;
    for (int i = 0; i < 2; i++) {
        kiln_result_stats rs;
        kiln_result_stats_get(sd[i].r, &rs);
        if (rs.rows == 0)
            cli_errorf("diff", "the %s side (%s) matched no samples",
                       i ? "target" : "base", sd[i].title);
    }
    kiln_flame_opts fo = KILN_FLAME_OPTS_INIT;
    fo.type = sd[1].type;
    fo.base_type = sd[0].type;
    fo.min_frame = min_frame / 100;
    fo.icicle = icicle;
    fo.title = sd[1].title;
    fo.base_title = sd[0].title;
    fo.from = sd[1].from;
    fo.to = sd[1].to;
    fo.base_from = sd[0].from;
    fo.base_to = sd[0].to;
    fo.table_rows = limit_set ? (size_t)limit : 0;
    if (svg)
        rc = kiln_flame_diff_svg(sd[0].r, sd[1].r, &fo, &out);
    else if (html)
        rc = kiln_flame_diff_html(sd[0].r, sd[1].r, &fo, &out);
    else
        rc = kiln_diff_text(sd[0].r, sd[1].r, &fo, (size_t)limit, &out);
    if (rc != 0 || (rc = cli_write_out(outpath, out.data, out.len)) != 0)
        goto fail;
    if (fail_above >= 0) {
        if ((rc = kiln_diff_functions(sd[0].r, sd[0].type, sd[1].r,
                                      sd[1].type, &e, &ne, NULL, NULL)) != 0)
            goto fail;
        if (gate(e, ne, fail_above, have_re ? &re : NULL))
            exit_code = CLI_EXIT_REGRESSION;
    }
    goto out;
fail:
    exit_code = cli_fail("diff", rc);
out:
    if (have_re)
        regfree(&re);
    free(e);
    kiln_buf_free(&out);
    kiln_result_free(sd[0].r);
    kiln_result_free(sd[1].r);
    kiln_store_free(st);
    return cli_skips_exit(&skips, exit_code);
}
