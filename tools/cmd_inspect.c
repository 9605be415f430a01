/* cmd_inspect.c: `kiln inspect` (what a block holds and what it costs, as
 * text or JSON) and `kiln verify` (every checksum and structure of blocks,
 * named by file path or by store key). */
#include "cli_util.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <kiln/reader.h>
#include <kiln/store.h>

const char cmd_inspect_help[] =
    "Usage: kiln inspect [--json] BLOCK\n"
    "       kiln inspect [--json] --store URL KEY\n"
    "\n"
    "Show a block: id, tenant, size, time range, counts (series, samples,\n"
    "profiles, pages, distinct stacks, locations, functions, strings, trace\n"
    "links), the trace-id bloom filter's size and expected false-positive rate,\n"
    "series label names with their number of values, compaction level,\n"
    "resolution and sources, and every section with its stored and raw sizes.\n"
    "Reads the block's footer, series and page index, nothing else (--deep\n"
    "reads and verifies the whole block). BLOCK is the path of a .kiln file.\n"
    "\n"
    "Options:\n"
    "  -s, --store URL  read KEY from this store instead of a file path\n"
    "  -j, --json       one JSON object instead of text\n"
    "  -d, --deep       also read and verify every section\n"
    "  -h, --help       this help\n"
    "\n"
    "Examples:\n"
    "  kiln inspect data/default/blocks/01M85DMB00N4YPGRC8S0F1S50V.kiln\n"
    "  kiln inspect --json --store data default/blocks/01M85DMB00N4YPGRC8S0F1S50V.kiln\n";

const char cmd_verify_help[] =
    "Usage: kiln verify BLOCK...\n"
    "       kiln verify --store URL [--tenant T] [KEY...]\n"
    "\n"
    "Read every section and page of each block, check every checksum and\n"
    "decode every structure with its cross-references. Prints \"ok BLOCK\" or\n"
    "\"FAIL BLOCK: first fault\" per block. With --store and no KEY, every block\n"
    "of the tenant is verified. Exit code 0 only if every block is sound, 2 if\n"
    "any is damaged, 4 if one is missing.\n"
    "\n"
    "Options:\n"
    "  -s, --store URL  blocks are keys in this store\n"
    "  -t, --tenant T   with --store and no KEY: the tenant (default \"default\")\n"
    "  -q, --quiet      print only failures\n"
    "  -h, --help       this help\n"
    "\n"
    "Examples:\n"
    "  kiln verify data/default/blocks/*.kiln\n"
    "  kiln verify --store file:///var/lib/kiln --tenant prod\n";

/* Open the block named by a file path: the store is the directory three
 * levels up when the path ends in <tenant>/blocks/<id>.kiln (so the key is
 * the real one), else the file's own directory. */
static int open_path(const char *path, kiln_store **st, kiln_block **b)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return kiln_error_set(KILN_EINVAL, "%s: path too long", path);
    const char *key = NULL;
    char *s3 = strrchr(buf, '/'); /* before <id>.kiln */
    char *s2 = NULL, *s1 = NULL;
    if (s3) {
        *s3 = '\0';
        s2 = strrchr(buf, '/'); /* before "blocks" */
        *s3 = '/';
    }
    if (s2 && strncmp(s2, "/blocks/", 8) == 0) {
        *s2 = '\0';
        s1 = strrchr(buf, '/'); /* before <tenant> */
        *s2 = '/';
    }
    char root[PATH_MAX];
    if (s2 && strncmp(s2, "/blocks/", 8) == 0) {
        if (s1) {
            snprintf(root, sizeof root, "%.*s", (int)(s1 - buf), buf);
            key = path + (s1 - buf) + 1;
        } else {
            snprintf(root, sizeof root, ".");
            key = path;
        }
    } else if (s3) {
        snprintf(root, sizeof root, "%.*s", (int)(s3 - buf), buf);
        key = path + (s3 - buf) + 1;
    } else {
        snprintf(root, sizeof root, ".");
        key = path;
    }
    if (root[0] == '\0')
        snprintf(root, sizeof root, "/");
    /* don't create a directory for a path that does not exist */
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return kiln_error_set(KILN_ENOTFOUND, "%s: no such block file", path);
    fclose(f);
    int rc = kiln_store_open_dir(st, root);
    if (rc != 0)
        return rc;
    return kiln_block_open(b, *st, key);
}

static void print_json(const kiln_block_info *in, FILE *f)
{
    char a[48], b[48];
    cli_format_time(in->tmin, a);
    cli_format_time(in->tmax, b);
    fprintf(f, "{\"key\":");
    cli_json_str(f, in->key);
    fprintf(f, ",\"id\":");
    cli_json_str(f, in->id);
    fprintf(f, ",\"tenant\":");
    cli_json_str(f, in->tenant);
    fprintf(f, ",\"size\":%llu,\"tmin\":\"%s\",\"tmax\":\"%s\","
            "\"tmin_ns\":%lld,\"tmax_ns\":%lld,"
            "\"series\":%llu,\"samples\":%llu,\"profiles\":%llu,\"pages\":%llu,"
            "\"stacks\":%llu,\"locations\":%llu,\"functions\":%llu,"
            "\"strings\":%llu,\"links\":%llu,\"traces\":%llu,"
            "\"bloom_bytes\":%llu,\"bloom_fpp\":%.6g,"
            "\"level\":%u,\"resolution_ns\":%lld,\"sources\":[",
            (unsigned long long)in->size, a, b, (long long)in->tmin,
            (long long)in->tmax, (unsigned long long)in->nseries,
            (unsigned long long)in->nsamples, (unsigned long long)in->nprofiles,
            (unsigned long long)in->npages, (unsigned long long)in->nstacks,
            (unsigned long long)in->nlocations,
            (unsigned long long)in->nfunctions, (unsigned long long)in->nstrings,
            (unsigned long long)in->nlinks, (unsigned long long)in->ntraces,
            (unsigned long long)in->bloom_bytes, in->bloom_fpp, in->level,
            (long long)in->resolution);
    for (size_t i = 0; i < in->nsources; i++) {
        if (i)
            fputc(',', f);
        cli_json_str(f, in->sources[i]);
    }
    fprintf(f, "],\"labels\":{");
    for (size_t i = 0; i < in->nlabelnames; i++) {
        if (i)
            fputc(',', f);
        cli_json_str(f, in->labelnames[i]);
        fprintf(f, ":%llu", (unsigned long long)in->labelvalues[i]);
    }
    fprintf(f, "},\"sections\":[");
    for (size_t i = 0; i < in->nsections; i++) {
        const kiln_section_info *s = &in->sections[i];
        fprintf(f, "%s{\"name\":", i ? "," : "");
        cli_json_str(f, s->name);
        fprintf(f, ",\"type\":%u,\"codec\":\"%s\",\"offset\":%llu,"
                "\"stored\":%llu,\"raw\":%llu}",
                s->type, s->codec == 1 ? "zstd" : s->codec == 0 ? "none" : "?",
                (unsigned long long)s->offset, (unsigned long long)s->stored,
                (unsigned long long)s->raw);
    }
    fprintf(f, "]}\n");
}

static void duration_text(int64_t ns, char *out, size_t cap)
{
    int64_t s = ns / 1000000000LL;
    if (s >= 3600)
        snprintf(out, cap, "%lldh%02lldm%02llds", (long long)(s / 3600),
                 (long long)(s % 3600 / 60), (long long)(s % 60));
    else if (s >= 60)
        snprintf(out, cap, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
    else
        snprintf(out, cap, "%.3fs", (double)ns / 1e9);
}

static void print_text(const kiln_block_info *in, FILE *f)
{
    char a[48], b[48], sz[32], d[48];
    cli_format_time(in->tmin, a);
    cli_format_time(in->tmax, b);
    cli_format_bytes(in->size, sz);
    duration_text(in->tmax - in->tmin, d, sizeof d);
    fprintf(f, "block       %s\n", in->key);
    fprintf(f, "id          %s\n", in->id);
    fprintf(f, "tenant      %s\n", in->tenant);
    fprintf(f, "size        %s (%llu bytes)\n", sz, (unsigned long long)in->size);
    fprintf(f, "time        %s .. %s (%s)\n", a, b, d);
    if (in->resolution == 0)
        fprintf(f, "resolution  raw, level %u\n", in->level);
    else {
        duration_text(in->resolution, d, sizeof d);
        fprintf(f, "resolution  %s, level %u\n", d, in->level);
    }
    fprintf(f, "sources     ");
    if (in->nsources == 0)
        fprintf(f, "none (as ingested)");
    for (size_t i = 0; i < in->nsources; i++)
        fprintf(f, "%s%s", i ? ", " : "", in->sources[i]);
    fprintf(f, "\n");
    fprintf(f, "series      %llu\n", (unsigned long long)in->nseries);
    fprintf(f, "samples     %llu rows in %llu pages, from %llu profiles\n",
            (unsigned long long)in->nsamples, (unsigned long long)in->npages,
            (unsigned long long)in->nprofiles);
    fprintf(f, "distinct    %llu stacks, %llu locations, %llu functions, %llu strings\n",
            (unsigned long long)in->nstacks, (unsigned long long)in->nlocations,
            (unsigned long long)in->nfunctions, (unsigned long long)in->nstrings);
    fprintf(f, "links       %llu (trace, span) pairs, %llu traces\n",
            (unsigned long long)in->nlinks, (unsigned long long)in->ntraces);
    if (in->bloom_bytes)
        fprintf(f, "bloom       %llu bytes, expected false-positive rate %.4f%%\n",
                (unsigned long long)in->bloom_bytes, 100.0 * in->bloom_fpp);
    else
        fprintf(f, "bloom       none\n");
    fprintf(f, "labels      %zu names\n", in->nlabelnames);
    for (size_t i = 0; i < in->nlabelnames; i++)
        fprintf(f, "  %-24s %llu value%s\n", in->labelnames[i],
                (unsigned long long)in->labelvalues[i],
                in->labelvalues[i] == 1 ? "" : "s");
    fprintf(f, "sections\n  %-12s %-5s %12s %12s %12s %7s\n", "name", "codec",
            "offset", "stored", "raw", "ratio");
    uint64_t ts = 0, tr = 0;
    for (size_t i = 0; i < in->nsections; i++) {
        const kiln_section_info *s = &in->sections[i];
        fprintf(f, "  %-12s %-5s %12llu %12llu %12llu %6.1fx\n", s->name,
                s->codec == 1 ? "zstd" : s->codec == 0 ? "none" : "?",
                (unsigned long long)s->offset, (unsigned long long)s->stored,
                (unsigned long long)s->raw,
                s->stored ? (double)s->raw / (double)s->stored : 0.0);
        ts += s->stored;
        tr += s->raw;
    }
    fprintf(f, "  %-12s %-5s %12s %12llu %12llu %6.1fx\n", "total", "", "",
            (unsigned long long)ts, (unsigned long long)tr,
            ts ? (double)tr / (double)ts : 0.0);
}

int cmd_inspect(int argc, char **argv)
{
    static const struct option opts[] = {
        {"store", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},
        {"deep", no_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *url = NULL;
    int json = 0, deep = 0, c, rc, exit_code = CLI_EXIT_OK;
    kiln_store *st = NULL;
    kiln_block *b = NULL;
    optind = 0;
    while ((c = getopt_long(argc, argv, "s:jdh", opts, NULL)) != -1) {
        switch (c) {
        case 's': url = optarg; break;
        case 'j': json = 1; break;
        case 'd': deep = 1; break;
        case 'h': fputs(cmd_inspect_help, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("inspect", "bad option");
        }
    }
    if (argc - optind != 1)
        return cli_usage_error("inspect", "expected one BLOCK (or --store URL KEY)");
    const char *arg = argv[optind];
    if (url) {
        if ((rc = kiln_store_open(&st, url)) == 0)
            rc = kiln_block_open(&b, st, arg);
    } else {
        rc = open_path(arg, &st, &b);
    }
    if (rc == 0)
        rc = deep ? kiln_block_verify(b) : kiln_block_load_index(b);
    if (rc != 0) {
        exit_code = cli_fail("inspect", rc);
        goto out;
    }
    const kiln_block_info *in = kiln_block_info_get(b);
    if (json)
        print_json(in, stdout);
    else
        print_text(in, stdout);
out:
    kiln_block_free(b);
    kiln_store_free(st);
    return exit_code;
}

/* ---- verify ---- */

typedef struct verify_run {
    kiln_store *st; /* --store, or NULL for file paths */
    int quiet;
    uint64_t ok, failed;
    int exit_code;  /* of the first failure */
} verify_run;

static int verify_one(verify_run *v, const char *name)
{
    kiln_store *own = NULL;
    kiln_block *b = NULL;
    int rc = v->st ? kiln_block_open(&b, v->st, name) : open_path(name, &own, &b);
    if (rc == 0)
        rc = kiln_block_verify(b);
    if (rc == 0) {
        v->ok++;
        if (!v->quiet)
            printf("ok %s\n", name);
    } else {
        const char *msg = kiln_error_last();
        printf("FAIL %s: %s\n", name, msg && *msg ? msg : kiln_strerror(rc));
        if (v->failed++ == 0)
            v->exit_code = cli_exit_code(rc);
    }
    fflush(stdout);
    kiln_block_free(b);
    kiln_store_free(own);
    return 0;
}

static int verify_cb(void *ud, const char *key, uint64_t size)
{
    (void)size;
    return verify_one(ud, key);
}

int cmd_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"store", required_argument, NULL, 's'},
        {"tenant", required_argument, NULL, 't'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *url = NULL, *tenant = "default";
    int c, rc;
    verify_run v;
    memset(&v, 0, sizeof v);
    optind = 0;
    while ((c = getopt_long(argc, argv, "s:t:qh", opts, NULL)) != -1) {
        switch (c) {
        case 's': url = optarg; break;
        case 't': tenant = optarg; break;
        case 'q': v.quiet = 1; break;
        case 'h': fputs(cmd_verify_help, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("verify", "bad option");
        }
    }
    if (url == NULL && optind >= argc)
        return cli_usage_error("verify", "expected BLOCK... (or --store URL [KEY...])");
    if (url) {
        if ((rc = kiln_store_open(&v.st, url)) != 0)
            return cli_fail("verify", rc);
        if (optind >= argc) {
            rc = kiln_blocks_list(v.st, tenant, verify_cb, &v);
            if (rc != 0) {
                kiln_store_free(v.st);
                return cli_fail("verify", rc);
            }
            if (v.ok + v.failed == 0) {
                kiln_store_free(v.st);
                cli_errorf("verify", "no blocks for tenant %s in %s", tenant, url);
                return CLI_EXIT_NOTFOUND;
            }
        }
    }
    for (int i = optind; i < argc; i++)
        verify_one(&v, argv[i]);
    kiln_store_free(v.st);
    if (v.failed > 0) {
        cli_errorf("verify", "%llu of %llu block%s failed",
                   (unsigned long long)v.failed,
                   (unsigned long long)(v.ok + v.failed),
                   v.ok + v.failed == 1 ? "" : "s");
        return v.exit_code;
    }
    return CLI_EXIT_OK;
}
