/* cmd_ingest.c: `kiln ingest`, files and directory trees of pprof, OTLP and
 * folded profiles into blocks cut by profile-time window. By default an
 * invocation is all or nothing: blocks are stored only after every file
 * parsed. */
#include "cli_util.h"
#include "otlp_gen.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <kiln/store.h>
#include <kiln/writer.h>

#include "format_internal.h"

#define MAX_LABELS 64
#define MAX_WINDOWS 64 /* open per-window writers; the least recent is cut */

/* A block cut but not yet stored (all-or-nothing mode). */
typedef struct pending_block {
    kiln_buf bytes;
    char key[KILN_KEY_MAX];
    uint64_t rows;
    int64_t tmin, tmax;
} pending_block;

typedef struct window {
    int64_t start;     /* window start, ns since epoch (aligned to the window) */
    kiln_writer *w;
    uint64_t last_use; /* file sequence number of the last add */
} window;

typedef struct ingest {
    const char *cmd;
    kiln_store *store;
    kiln_writer_opts wopts;
    const char *tenant;
    kiln_label labels[MAX_LABELS]; /* --label, then path labels */
    size_t nlabels;
    char *path_names[16];          /* --path-labels components */
    size_t npath;
    int64_t window_ns;             /* --block-window */
    int64_t folded_time;           /* --time for folded input; INT64_MIN = mtime */
    uint64_t max_rows;             /* cut a window's block past this many rows */
    uint64_t max_mem;              /* bytes all open writers may hold */
    int keep_going;
    int quiet;
    int verbose;                   /* name each file's format and layout */
    window win[MAX_WINDOWS];
    size_t nwin;
    pending_block *pend;           /* cut blocks waiting for the end */
    size_t npend, cappend;
    kiln_buf file;                 /* the current file's bytes */
    kiln_buf raw;                  /* its inflated bytes when gzip'd */
    uint64_t seq;
    /* summary */
    uint64_t files, pprofs, otlps, folded, rows, bad_files, bad_links;
    uint64_t in_bytes, blocks, block_bytes;
    /* A progress line on stderr when it is a terminal (not with --quiet
     * or --verbose), redrawn at most ten times a second. */
    int progress;
    struct timespec t0, shown;
} ingest;

static double since(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) +
           (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* stored < 0: still reading files; else blocks stored so far of npend. */
static void show_progress(ingest *in, long long stored)
{
    struct timespec now;
    char ib[32];

    if (!in->progress)
        return;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (since(&in->shown, &now) < 0.1 && stored != (long long)in->npend)
        return;
    in->shown = now;
    cli_format_bytes(in->in_bytes, ib);
    if (stored < 0)
        fprintf(stderr, "\r\033[Kkiln ingest: %llu files, %s in, %zu block%s "
                "cut, %.1f s", (unsigned long long)in->files, ib, in->npend,
                in->npend == 1 ? "" : "s", since(&in->t0, &now));
    else
        fprintf(stderr, "\r\033[Kkiln ingest: %llu files read; storing "
                "block %lld of %zu, %.1f s", (unsigned long long)in->files,
                stored, in->npend, since(&in->t0, &now));
    fflush(stderr);
}

/* Clear the line before anything else is printed (the next file draws it
 * again). */
static void end_progress(ingest *in)
{
    if (in->progress) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}

const char cmd_ingest_help[] =
    "Usage: kiln ingest --store URL [options] FILE...\n"
    "\n"
    "Write profiles into blocks. FILE is a pprof file (gzip'd or not, any name),\n"
    "a folded-stacks text file (\"root;caller;leaf COUNT\" lines), a directory\n"
    "(walked recursively in name order), or - (one path per line on stdin).\n"
    "The format is detected from the content; files named *.otlp.pb or\n"
    "*.otlp.pb.gz are OpenTelemetry profiles export requests (or ProfilesData),\n"
    "in the layout of opentelemetry-proto v1.8.0-v1.9.0 or v1.10.0-v1.11.0, told\n"
    "apart by their bytes; older OTLP layouts are refused. Blocks are cut\n"
    "per profile-time window (aligned to the epoch) and stored as\n"
    "<tenant>/blocks/<id>_<first>_<last>.kiln (the seconds of its first and\n"
    "last sample).\n"
    "\n"
    "Bad input writes nothing: by default no block is stored unless every\n"
    "file parsed (cut blocks wait in memory: a few percent of the input's\n"
    "pprof.gz size). With --keep-going a bad file is reported and skipped,\n"
    "blocks are stored as soon as they are cut, and the exit code is 2 if any\n"
    "file was skipped. What is atomic is each block: a store failure part way\n"
    "(a full disk) can leave some blocks stored and others not, never a part\n"
    "of one. A block's id is derived from its content, so rerunning the same\n"
    "command converges: blocks already stored are found, not written again.\n"
    "\n"
    "Options:\n"
    "  -s, --store URL          store: a directory or file:///path (required)\n"
    "  -t, --tenant T           tenant (default \"default\")\n"
    "  -l, --label K=V          series label for every profile (repeatable)\n"
    "  -p, --path-labels N/N..  labels from the file's parent directories, e.g.\n"
    "                           service_name/host reads .../checkout/web-3/x.pb.gz\n"
    "  -w, --block-window DUR   profile-time window of a block (default 1h)\n"
    "      --max-rows N         cut a window's block past N sample rows\n"
    "                           (default 4000000)\n"
    "      --max-memory MB      cut the biggest block under way when the open\n"
    "                           blocks hold more than MB megabytes (default 1024)\n"
    "      --trace-key K        pprof label holding trace ids (default trace_id)\n"
    "      --span-key K         pprof label holding span ids (default span_id)\n"
    "      --time T             time of folded-stacks input (default: file mtime)\n"
    "  -k, --keep-going         skip bad files (see above)\n"
    "  -q, --quiet              print only the summary line (and no progress\n"
    "                           line: on a terminal, stderr shows files read,\n"
    "                           bytes in, blocks cut and stored, elapsed time)\n"
    "  -v, --verbose            name each file's format as recognised: pprof,\n"
    "                           OTLP v1.9 layout, OTLP v1.11 layout or folded\n"
    "                           (\"(gzip)\" when compressed)\n"
    "  -h, --help               this help\n"
    "\n"
    "Examples:\n"
    "  kiln ingest --store data --path-labels service_name/host fleet/\n"
    "  kiln ingest --store file:///var/lib/kiln --label service_name=api cpu.pb.gz\n"
    "  find fleet -name '*.pb.gz' | kiln ingest --store data -p service_name/host -\n";

/* time_nanos (field 9) of an uncompressed pprof, by walking the top-level
 * fields only; 0 when absent or unreadable (the writer reports damage). */
static int64_t pprof_time(const uint8_t *p, size_t n)
{
    kiln_cur c;
    kiln_pbfield f;
    int64_t t = 0;
    cur_init(&c, p, n, "pprof");
    while (pb_next(&c, &f) == 0)
        if (f.num == 9 && f.wt == KILN_PB_VARINT)
            t = (int64_t)f.v;
    return t;
}

/* `--verbose`: the format recognised for one file. */
static void say_format(const ingest *in, const char *path, const char *what,
                       bool gz)
{
    if (in->verbose)
        printf("%s: %s%s\n", path, what, gz ? " (gzip)" : "");
}

/* Folded text: the first 4 KiB hold only text (printable bytes, UTF-8, tab,
 * CR, LF). Binary pprof always carries field tags and lengths below 0x20, so
 * a text file with a malformed first line is still read as folded and gets
 * the folded parser's error naming the line, not "not a protobuf". */
static int looks_folded(const uint8_t *p, size_t n)
{
    size_t k = n < 4096 ? n : 4096;
    if (n == 0)
        return 0;
    for (size_t i = 0; i < k; i++)
        if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
            return 0;
    return 1;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int store_block(ingest *in, pending_block *pb)
{
    int rc = kiln_store_put_if_absent(in->store, pb->key, pb->bytes.data,
                                      pb->bytes.len);
    if (rc == KILN_EEXIST) { /* same content, same id: already stored */
        kiln_error_clear();
        rc = 0;
    }
    if (rc != 0)
        return kiln_error_wrap(rc, "storing %s: ", pb->key);
    in->blocks++;
    in->block_bytes += pb->bytes.len;
    if (!in->quiet) {
        char a[48], b[48], sz[32];
        cli_format_time(pb->tmin, a);
        cli_format_time(pb->tmax, b);
        cli_format_bytes(pb->bytes.len, sz);
        end_progress(in);
        printf("%s  %s  %llu rows  %s .. %s\n", pb->key, sz,
               (unsigned long long)pb->rows, a, b);
    }
    return 0;
}

/* Cut window i's block: store it now (--keep-going) or keep it for the end. */
static int cut(ingest *in, size_t i)
{
    kiln_writer_stats ws;
    kiln_writer_stats_get(in->win[i].w, &ws);
    if (ws.profiles == 0)
        return 0;
    in->bad_links += ws.bad_links;
    in->rows += ws.rows;
    if (in->npend == in->cappend) {
        size_t nc = in->cappend ? in->cappend * 2 : 16;
        pending_block *p = realloc(in->pend, nc * sizeof *p);
        if (p == NULL)
            return kiln_error_set(KILN_ENOMEM, "out of memory");
        in->pend = p;
        in->cappend = nc;
    }
    pending_block *pb = &in->pend[in->npend];
    memset(pb, 0, sizeof *pb);
    int rc = kiln_writer_finish_key(in->win[i].w, &pb->bytes, pb->key);
    if (rc != 0) {
        kiln_buf_free(&pb->bytes);
        return rc;
    }
    pb->rows = ws.rows;
    pb->tmin = ws.tmin;
    pb->tmax = ws.tmax;
    if (in->keep_going) {
        rc = store_block(in, pb);
        kiln_buf_free(&pb->bytes);
        return rc;
    }
    in->npend++;
    return 0;
}

/* The writer of the window holding time t, opening (and, past MAX_WINDOWS,
 * cutting the least recently used) as needed. */
static int writer_for(ingest *in, int64_t t, kiln_writer **out)
{
    int64_t start = floor_div(t, in->window_ns) * in->window_ns;
    for (size_t i = 0; i < in->nwin; i++)
        if (in->win[i].start == start) {
            in->win[i].last_use = in->seq;
            *out = in->win[i].w;
            return 0;
        }
    if (in->nwin == MAX_WINDOWS) {
        size_t lru = 0;
        for (size_t i = 1; i < in->nwin; i++)
            if (in->win[i].last_use < in->win[lru].last_use)
                lru = i;
        int rc = cut(in, lru);
        if (rc != 0)
            return rc;
        kiln_writer_free(in->win[lru].w);
        in->win[lru] = in->win[--in->nwin];
    }
    kiln_writer *w;
    int rc = kiln_writer_new(&w, &in->wopts);
    if (rc != 0)
        return rc;
    in->win[in->nwin++] = (window){start, w, in->seq};
    *out = w;
    return 0;
}

/* Labels from the last npath directories of path. */
static int path_labels(ingest *in, const char *path, kiln_label *labels,
                       size_t *nlabels, char *buf, size_t cap)
{
    char abs[PATH_MAX];
    const char *p = path;
    size_t slashes = 0;
    for (const char *q = path; *q; q++)
        slashes += *q == '/';
    if (slashes < in->npath && path[0] != '/') {
        if (getcwd(abs, sizeof abs) == NULL)
            return kiln_error_set(KILN_EIO, "%s: getcwd: %s", path, strerror(errno));
        size_t l = strlen(abs);
        snprintf(abs + l, sizeof abs - l, "/%s", path);
        p = abs;
    }
    snprintf(buf, cap, "%s", p);
    char *end = strrchr(buf, '/');
    for (size_t k = in->npath; k-- > 0;) {
        if (end == NULL)
            return kiln_error_set(KILN_EINPUT,
                                  "%s: too few parent directories for "
                                  "--path-labels (%zu needed)", path, in->npath);
        *end = '\0';
        char *start = strrchr(buf, '/');
        const char *val = start ? start + 1 : buf;
        if (*val == '\0')
            return kiln_error_set(KILN_EINPUT,
                                  "%s: empty directory name for label %s", path,
                                  in->path_names[k]);
        /* replace a --label of the same name */
        size_t j = 0;
        while (j < *nlabels && strcmp(labels[j].name, in->path_names[k]) != 0)
            j++;
        labels[j].name = in->path_names[k];
        labels[j].value = val;
        if (j == *nlabels)
            (*nlabels)++;
        end = start;
    }
    return 0;
}

static int ingest_file(ingest *in, const char *path)
{
    int rc;
    kiln_label labels[MAX_LABELS + 16];
    size_t nlabels = in->nlabels;
    char pbuf[PATH_MAX];
    memcpy(labels, in->labels, in->nlabels * sizeof *labels);
    in->seq++;
    kiln_buf_reset(&in->file);
    if ((rc = cli_read_file(path, KILN_MAX_INPUT_FILE, &in->file)) != 0)
        return rc;
    in->in_bytes += in->file.len;
    if (in->npath > 0 &&
        (rc = path_labels(in, path, labels, &nlabels, pbuf, sizeof pbuf)) != 0)
        return rc;

    const uint8_t *data = in->file.data;
    size_t len = in->file.len;
    kiln_writer *w;
    size_t pl = strlen(path);
    if ((pl > 8 && strcmp(path + pl - 8, ".otlp.pb") == 0) ||
        (pl > 11 && strcmp(path + pl - 11, ".otlp.pb.gz") == 0)) {
        /* OpenTelemetry profiles (tools/otlp_gen.h): by extension. */
        bool gz = is_gzip(data, len);
        if (gz) {
            if ((rc = gzip_inflate(data, len, KILN_MAX_INFLATE, &in->raw)) != 0)
                return kiln_error_wrap(rc, "%s: ", path);
            data = in->raw.data;
            len = in->raw.len;
        }
        if (in->verbose) {
            kiln_otlp_layout layout;
            if ((rc = kiln_otlp_detect(&layout, data, len)) != 0)
                return kiln_error_wrap(rc, "%s: ", path);
            say_format(in, path, layout == KILN_OTLP_V1_9 ? "OTLP v1.9 layout"
                                                          : "OTLP v1.11 layout",
                       gz);
        }
        if ((rc = writer_for(in, otlp_time(data, len), &w)) != 0)
            return rc;
        rc = kiln_writer_add_otlp(w, data, len, labels, nlabels);
        if (rc != 0)
            return kiln_error_wrap(rc, "%s: ", path);
        in->otlps++;
    } else if (!is_gzip(data, len) && looks_folded(data, len)) {
        kiln_folded_opts fo = KILN_FOLDED_OPTS_INIT;
        fo.time_ns = in->folded_time;
        if (fo.time_ns == INT64_MIN) {
            struct stat st;
            fo.time_ns = stat(path, &st) == 0
                             ? (int64_t)st.st_mtim.tv_sec * 1000000000LL +
                                   st.st_mtim.tv_nsec
                             : 0;
        }
        say_format(in, path, "folded", false);
        if ((rc = writer_for(in, fo.time_ns, &w)) != 0)
            return rc;
        rc = kiln_writer_add_folded(w, (const char *)data, len, labels, nlabels, &fo);
        if (rc != 0)
            return kiln_error_wrap(rc, "%s: ", path);
        in->folded++;
    } else {
        bool gz = is_gzip(data, len);
        say_format(in, path, "pprof", gz);
        if (gz) {
            /* inflate once: the time peek and the writer share the bytes */
            if ((rc = gzip_inflate(data, len, KILN_MAX_INFLATE, &in->raw)) != 0)
                return kiln_error_wrap(rc, "%s: ", path);
            data = in->raw.data;
            len = in->raw.len;
        }
        if ((rc = writer_for(in, pprof_time(data, len), &w)) != 0)
            return rc;
        rc = kiln_writer_add_pprof(w, data, len, labels, nlabels);
        if (rc != 0)
            return kiln_error_wrap(rc, "%s: ", path);
        in->pprofs++;
    }
    in->files++;
    show_progress(in, -1);
    kiln_writer_stats ws;
    kiln_writer_stats_get(w, &ws);
    if (ws.rows > in->max_rows) {
        for (size_t i = 0; i < in->nwin; i++)
            if (in->win[i].w == w)
                return cut(in, i);
    }
    /* Bound memory: past max_mem, cut the biggest block under way. */
    size_t total = 0, big = 0, bigmem = 0;
    for (size_t i = 0; i < in->nwin; i++) {
        kiln_writer_stats_get(in->win[i].w, &ws);
        total += ws.mem_bytes;
        if (ws.mem_bytes > bigmem) {
            bigmem = ws.mem_bytes;
            big = i;
        }
    }
    if (total > in->max_mem && bigmem > 0)
        return cut(in, big);
    return 0;
}

/* One file (errors go through --keep-going) or a directory tree. */
static int ingest_path(ingest *in, const char *path);

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* A FIFO, socket or device found while walking a directory is skipped
 * with a note: opening a FIFO waits for a writer forever, and a device can
 * be endless. (A path named on the command line is read as given, so
 * `kiln ingest <(curl ...)` works.) */
static int walk_skips(ingest *in, const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && stat(path, &st) != 0)
        return 0; /* a dangling link: let ingest_file name the error */
    if (stat(path, &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
        return 0;
    end_progress(in);
    cli_errorf(in->cmd, "skipping %s: not a regular file", path);
    return 1;
}

static int ingest_dir(ingest *in, const char *dir)
{
    struct dirent **ents = NULL;
    int n = scandir(dir, &ents, NULL, name_cmp);
    int rc = 0;
    if (n < 0)
        return kiln_error_set(KILN_EIO, "%s: %s", dir, strerror(errno));
    for (int i = 0; i < n; i++) {
        const char *name = ents[i]->d_name;
        if (rc == 0 && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
            name[0] != '.') {
            char path[PATH_MAX];
            size_t dl = strlen(dir);
            if (snprintf(path, sizeof path, "%s%s%s", dir,
                         dl && dir[dl - 1] == '/' ? "" : "/", name) >=
                (int)sizeof path)
                rc = kiln_error_set(KILN_EIO, "%s/%s: path too long", dir, name);
            else if (walk_skips(in, path))
                rc = 0;
            else
                rc = ingest_path(in, path);
        }
        free(ents[i]);
    }
    free(ents);
    return rc;
}

static int ingest_path(ingest *in, const char *path)
{
    struct stat st;
    if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return ingest_dir(in, path);
    int rc = ingest_file(in, path);
    if (rc == 0)
        return 0;
    /* Bad input is skippable; a store or memory failure is not. */
    if (in->keep_going && (rc == KILN_EINPUT || rc == KILN_ELIMIT ||
                           rc == KILN_ENOTFOUND)) {
        end_progress(in);
        cli_errorf(in->cmd, "skipping %s", kiln_error_last());
        in->bad_files++;
        return 0;
    }
    return rc;
}

static int ingest_stdin(ingest *in)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while (rc == 0 && (n = getline(&line, &cap, stdin)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n > 0)
            rc = ingest_path(in, line);
    }
    free(line);
    return rc;
}

static int parse_label(ingest *in, char *arg)
{
    char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg)
        return kiln_error_set(KILN_EINVAL, "bad --label \"%s\": expected NAME=VALUE", arg);
    if (in->nlabels == MAX_LABELS)
        return kiln_error_set(KILN_EINVAL, "more than %d --label options", MAX_LABELS);
    *eq = '\0';
    in->labels[in->nlabels].name = arg;
    in->labels[in->nlabels].value = eq + 1;
    in->nlabels++;
    return 0;
}

static int parse_path_labels(ingest *in, char *arg)
{
    char *save = NULL;
    for (char *tok = strtok_r(arg, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (in->npath == sizeof in->path_names / sizeof in->path_names[0])
            return kiln_error_set(KILN_EINVAL, "--path-labels: at most 16 names");
        in->path_names[in->npath++] = tok;
    }
    if (in->npath == 0)
        return kiln_error_set(KILN_EINVAL, "--path-labels: expected NAME/NAME...");
    return 0;
}

int cmd_ingest(int argc, char **argv)
{
    static const struct option opts[] = {
        {"store", required_argument, NULL, 's'},
        {"tenant", required_argument, NULL, 't'},
        {"label", required_argument, NULL, 'l'},
        {"path-labels", required_argument, NULL, 'p'},
        {"block-window", required_argument, NULL, 'w'},
        {"max-rows", required_argument, NULL, 'M'},
        {"max-memory", required_argument, NULL, 'X'},
        {"trace-key", required_argument, NULL, 'T'},
        {"span-key", required_argument, NULL, 'S'},
        {"time", required_argument, NULL, 'm'},
        {"keep-going", no_argument, NULL, 'k'},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    ingest in;
    const char *url = NULL;
    int rc = 0, c, exit_code = CLI_EXIT_OK;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(&in, 0, sizeof in);
    in.cmd = "ingest";
    in.wopts = (kiln_writer_opts)KILN_WRITER_OPTS_INIT;
    in.tenant = "default";
    in.window_ns = 3600LL * 1000000000LL;
    in.folded_time = INT64_MIN;
    in.max_rows = 4000000;
    in.max_mem = 1024ULL << 20;
    optind = 0;
    while ((c = getopt_long(argc, argv, "s:t:l:p:w:kqvh", opts, NULL)) != -1) {
        switch (c) {
        case 's': url = optarg; break;
        case 't': in.tenant = optarg; break;
        case 'l': rc = parse_label(&in, optarg); break;
        case 'p': rc = parse_path_labels(&in, optarg); break;
        case 'w':
            rc = cli_parse_duration(optarg, &in.window_ns);
            if (rc == 0 && in.window_ns <= 0)
                rc = kiln_error_set(KILN_EINVAL, "--block-window must be positive");
            break;
        case 'M': rc = cli_parse_u64(optarg, 1, UINT64_MAX, "--max-rows", &in.max_rows); break;
        case 'X':
            rc = cli_parse_u64(optarg, 1, 1 << 24, "--max-memory", &in.max_mem);
            in.max_mem <<= 20;
            break;
        case 'T': in.wopts.trace_key = optarg; break;
        case 'S': in.wopts.span_key = optarg; break;
        case 'm': rc = cli_parse_time(optarg, cli_now_ns(), &in.folded_time); break;
        case 'k': in.keep_going = 1; break;
        case 'q': in.quiet = 1; break;
        case 'v': in.verbose = 1; break;
        case 'h': fputs(cmd_ingest_help, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("ingest", "bad option");
        }
        if (rc != 0)
            return cli_usage_error("ingest", "%s", kiln_error_last());
    }
    if (url == NULL)
        return cli_usage_error("ingest", "--store URL is required");
    if (optind >= argc)
        return cli_usage_error("ingest", "no FILE given (use - to read paths from stdin)");
    in.wopts.tenant = in.tenant;
    {
        /* check the tenant before reading any input */
        kiln_writer *probe;
        if ((rc = kiln_writer_new(&probe, &in.wopts)) != 0)
            return cli_usage_error("ingest", "%s", kiln_error_last());
        kiln_writer_free(probe);
    }
    if ((rc = kiln_store_open(&in.store, url)) != 0) {
        exit_code = cli_fail("ingest", rc);
        goto out;
    }
    in.progress = !in.quiet && !in.verbose && isatty(STDERR_FILENO);
    in.t0 = t0;
    for (int i = optind; i < argc && rc == 0; i++)
        rc = strcmp(argv[i], "-") == 0 ? ingest_stdin(&in) : ingest_path(&in, argv[i]);
    for (size_t i = 0; i < in.nwin && rc == 0; i++)
        rc = cut(&in, i);
    if (rc != 0) {
        end_progress(&in);
        exit_code = cli_fail("ingest", rc);
        if (in.npend > 0)
            cli_errorf("ingest", "nothing stored (%zu block%s discarded)", in.npend,
                       in.npend == 1 ? "" : "s");
        goto out;
    }
    /* Every file parsed: store the blocks. */
    for (size_t i = 0; i < in.npend && rc == 0; i++) {
        show_progress(&in, (long long)i + 1);
        rc = store_block(&in, &in.pend[i]);
    }
    end_progress(&in);
    if (rc != 0) {
        exit_code = cli_fail("ingest", rc);
        goto out;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    char ib[32], bb[32];
    cli_format_bytes(in.in_bytes, ib);
    cli_format_bytes(in.block_bytes, bb);
    printf("kiln ingest: %llu files (%llu pprof, %llu otlp, %llu folded, "
           "%llu skipped), %s in, %llu sample rows, %llu block%s, %s stored "
           "(%.1f%%), %.2f s\n",
           (unsigned long long)in.files, (unsigned long long)in.pprofs,
           (unsigned long long)in.otlps, (unsigned long long)in.folded,
           (unsigned long long)in.bad_files, ib,
           (unsigned long long)in.rows, (unsigned long long)in.blocks,
           in.blocks == 1 ? "" : "s", bb,
           in.in_bytes ? 100.0 * (double)in.block_bytes / (double)in.in_bytes : 0.0,
           secs);
    if (in.bad_links > 0)
        cli_errorf("ingest", "%llu samples had a malformed trace or span id "
                   "(kept without the link)", (unsigned long long)in.bad_links);
    if (in.bad_files > 0)
        exit_code = CLI_EXIT_DATA;
    else if (in.files == 0) {
        cli_errorf("ingest", "no input files found");
        exit_code = CLI_EXIT_NOTFOUND;
    }
out:
    for (size_t i = 0; i < in.nwin; i++)
        kiln_writer_free(in.win[i].w);
    for (size_t i = 0; i < in.npend; i++)
        kiln_buf_free(&in.pend[i].bytes);
    free(in.pend);
    kiln_buf_free(&in.file);
    kiln_buf_free(&in.raw);
    kiln_store_free(in.store);
    return exit_code;
}
