/* test_gen.c: `kiln gen` keeps its promises: byte-identical output for the
 * same arguments (any thread count), different output for another seed, and
 * a fleet whose every file decodes (independently, with protobuf-c) into the
 * promised shape: Go CPU profiles with 1-based symbol tables, deep stacks,
 * inlined frames, shared libraries, per-host CPU and trace labels on about
 * the requested share of samples, each trace in exactly one file. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "profile.pb-c.h"

#define END "2026-11-24T01:00:00Z"
#define END_S 1795482000LL

static char work[256];

static void setup(void)
{
    snprintf(work, sizeof work, "/tmp/kiln-test-gen-XXXXXX");
    cr_assert(mkdtemp(work) != NULL);
}

static void teardown(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", work);
    if (system(cmd) != 0)
        fprintf(stderr, "cleanup of %s failed\n", work);
}

/* Run `kiln gen` with extra arguments into DIR; the exit code. */
static int gen(const char *dir, const char *args)
{
    const char *bin = getenv("KILN_BIN");
    cr_assert(bin != NULL, "KILN_BIN is not set");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' gen --out '%s' --end " END " -q %s", bin,
             dir, args);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* snprintf that fails the test instead of truncating a path or command. */
#define FMT(buf, ...)                                                        \
    do {                                                                     \
        int fmt_n_ = snprintf((buf), sizeof(buf), __VA_ARGS__);              \
        cr_assert(fmt_n_ >= 0 && (size_t)fmt_n_ < sizeof(buf),               \
                  "%s: does not fit in %zu bytes", #buf, sizeof(buf));       \
    } while (0)

static int same_tree(const char *a, const char *b)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "diff -r -q '%s' '%s' >/dev/null", a, b);
    return system(cmd) == 0;
}

TestSuite(gen, .init = setup, .fini = teardown, .timeout = 120);

Test(gen, same_arguments_give_identical_bytes)
{
    char a[300], b[300], c[300];
    snprintf(a, sizeof a, "%s/a", work);
    snprintf(b, sizeof b, "%s/b", work);
    snprintf(c, sizeof c, "%s/c", work);
    const char *args = "--services 4 --hosts 2 --duration 2m --seed 7";
    cr_assert(eq(int, gen(a, args), 0));
    char more[256];
    snprintf(more, sizeof more, "%s --jobs 1", args);
    cr_assert(eq(int, gen(b, more), 0));
    snprintf(more, sizeof more, "%s --jobs 3", args);
    cr_assert(eq(int, gen(c, more), 0));
    cr_assert(same_tree(a, b), "1 thread and default threads differ");
    cr_assert(same_tree(a, c), "3 threads and default threads differ");
}

Test(gen, another_seed_gives_other_bytes)
{
    char a[300], b[300];
    snprintf(a, sizeof a, "%s/a", work);
    snprintf(b, sizeof b, "%s/b", work);
    cr_assert(eq(int, gen(a, "--services 1 --hosts 1 --duration 1m --seed 1"), 0));
    cr_assert(eq(int, gen(b, "--services 1 --hosts 1 --duration 1m --seed 2"), 0));
    int same = same_tree(a, b);
    cr_assert(eq(int, same, 0), "seeds 1 and 2 gave the same files");
}

Test(gen, windows_agree_across_overlapping_runs)
{
    /* A 1-minute run ending at END holds the last 6 files of a 2-minute run. */
    char a[300], b[300];
    snprintf(a, sizeof a, "%s/a", work);
    snprintf(b, sizeof b, "%s/b", work);
    cr_assert(eq(int, gen(a, "--services 1 --hosts 1 --duration 1m"), 0));
    cr_assert(eq(int, gen(b, "--services 1 --hosts 1 --duration 2m"), 0));
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && for f in */*/*; do cmp -s \"$f\" '%s'/\"$f\" || exit 1; done",
             a, b);
    cr_assert(eq(int, system(cmd), 0));
}

Test(gen, bad_arguments_are_usage_errors)
{
    char a[300];
    snprintf(a, sizeof a, "%s/a", work);
    cr_assert(eq(int, gen(a, "--services 0"), 1));
    cr_assert(eq(int, gen(a, "--duration 5s"), 1));
    cr_assert(eq(int, gen(a, "--trace-fraction 1.5"), 1));
    cr_assert(eq(int, gen(a, "--interval 10"), 1));
    cr_assert(eq(int, gen(a, "--end yesterday"), 1));
    cr_assert(eq(int, gen(a, "extra-arg"), 1));
    struct stat st;
    cr_assert(ne(int, stat(a, &st), 0), "a usage error created the output");
}

/* ---- decoding the fleet ---- */

static Perftools__Profiles__Profile *load(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f != NULL, "%s", path);
    static unsigned char in[1 << 22], out[1 << 24];
    size_t n = fread(in, 1, sizeof in, f);
    fclose(f);
    cr_assert(n > 20 && in[0] == 0x1f && in[1] == 0x8b, "%s: not gzip", path);
    z_stream z;
    memset(&z, 0, sizeof z);
    cr_assert(eq(int, inflateInit2(&z, 16 + MAX_WBITS), Z_OK));
    z.next_in = in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = sizeof out;
    cr_assert(eq(int, inflate(&z, Z_FINISH), Z_STREAM_END), "%s", path);
    size_t len = sizeof out - z.avail_out;
    inflateEnd(&z);
    Perftools__Profiles__Profile *p =
        perftools__profiles__profile__unpack(NULL, len, out);
    cr_assert(p != NULL, "%s: does not decode", path);
    return p;
}

static const char *str(const Perftools__Profiles__Profile *p, int64_t i)
{
    static char buf[4][512];
    static int k;
    cr_assert(i >= 0 && (size_t)i < p->n_string_table, "string %lld", (long long)i);
    char *b = buf[k++ & 3];
    size_t l = p->string_table[i].len < 511 ? p->string_table[i].len : 511;
    memcpy(b, p->string_table[i].data, l);
    b[l] = '\0';
    return b;
}

static int is_hex(const char *s, size_t n)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static int names(const char *dir, char out[][128], int max)
{
    DIR *d = opendir(dir);
    cr_assert(d != NULL, "%s", dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') {
            cr_assert(n < max);
            snprintf(out[n++], 128, "%.127s", e->d_name);
        }
    closedir(d);
    return n;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

Test(gen, fleet_has_the_promised_shape)
{
    char dir[300];
    snprintf(dir, sizeof dir, "%s/fleet", work);
    cr_assert(eq(int, gen(dir, "--services 3 --hosts 2 --duration 5m --seed 3 "
                               "--trace-fraction 0.1"), 0));
    static char svcs[16][128], hosts[16][128], files[64][128];
    int ns = names(dir, svcs, 16);
    cr_assert(eq(int, ns, 3));
    const char *want[] = {"checkout", "cart", "payments"};
    for (int i = 0; i < 3; i++) {
        int found = 0;
        for (int j = 0; j < ns; j++)
            found |= strcmp(svcs[j], want[i]) == 0;
        cr_assert(found, "no service %s", want[i]);
    }
    uint64_t total = 0, traced = 0, nsamples = 0, deep = 0, inlined = 0;
    size_t ntrace_ids = 0, captrace = 1 << 16, max_depth = 0;
    char **trace_ids = malloc(captrace * sizeof *trace_ids);
    uint64_t trace_samples = 0;
    int files_seen = 0;
    int64_t min_cpu = INT64_MAX, max_cpu = 0;
    for (int s = 0; s < ns; s++) {
        char sd[600];
        FMT(sd, "%s/%s", dir, svcs[s]);
        int nh = names(sd, hosts, 16);
        cr_assert(eq(int, nh, 2), "%s: hosts", svcs[s]);
        cr_assert(strcmp(hosts[0], hosts[1]) != 0);
        for (int h = 0; h < nh; h++) {
            cr_assert(strncmp(hosts[h], svcs[s], strlen(svcs[s])) == 0,
                      "host %s not named after %s", hosts[h], svcs[s]);
            char hd[800];
            FMT(hd, "%s/%s", sd, hosts[h]);
            int nf = names(hd, files, 64);
            cr_assert(eq(int, nf, 30), "%s: 5m of 10s windows", hd);
            for (int f = 0; f < nf; f++) {
                long long t = atoll(files[f]);
                cr_assert(t >= END_S - 300 && t < END_S && (END_S - t) % 10 == 0,
                          "file %s", files[f]);
                char fn[1000];
                FMT(fn, "%s/%s", hd, files[f]);
                cr_assert(strstr(files[f], ".pb.gz") != NULL);
                Perftools__Profiles__Profile *p = load(fn);
                files_seen++;
                cr_assert(eq(i64, p->time_nanos, t * 1000000000LL));
                cr_assert(eq(i64, p->duration_nanos, 10000000000LL));
                cr_assert(eq(i64, p->period, 10000000));
                cr_assert(eq(sz, p->n_string_table > 0, 1));
                cr_assert(eq(sz, p->string_table[0].len, 0));
                cr_assert(eq(sz, p->n_sample_type, 2));
                cr_assert(eq(str, (char *)str(p, p->sample_type[0]->type), "samples"));
                cr_assert(eq(str, (char *)str(p, p->sample_type[0]->unit), "count"));
                cr_assert(eq(str, (char *)str(p, p->sample_type[1]->type), "cpu"));
                cr_assert(eq(str, (char *)str(p, p->sample_type[1]->unit), "nanoseconds"));
                cr_assert(p->period_type != NULL);
                cr_assert(eq(str, (char *)str(p, p->period_type->type), "cpu"));
                /* ids are 1..n in order; mapping 1 is the service binary */
                for (size_t i = 0; i < p->n_mapping; i++)
                    cr_assert(eq(u64, p->mapping[i]->id, i + 1));
                char bin[128];
                snprintf(bin, sizeof bin, "/usr/local/bin/%s", svcs[s]);
                cr_assert(eq(str, (char *)str(p, p->mapping[0]->filename), bin));
                cr_assert(eq(sz, strlen(str(p, p->mapping[0]->build_id)), 40));
                int libc = 0, vdso = 0;
                for (size_t i = 0; i < p->n_mapping; i++) {
                    libc |= strstr(str(p, p->mapping[i]->filename), "libc.so.6") != NULL;
                    vdso |= strcmp(str(p, p->mapping[i]->filename), "[vdso]") == 0;
                }
                cr_assert(libc && vdso, "%s: libc and vdso mapped", fn);
                for (size_t i = 0; i < p->n_function; i++)
                    cr_assert(eq(u64, p->function[i]->id, i + 1));
                for (size_t i = 0; i < p->n_location; i++) {
                    const Perftools__Profiles__Location *l = p->location[i];
                    cr_assert(eq(u64, l->id, i + 1));
                    cr_assert(l->mapping_id >= 1 && l->mapping_id <= p->n_mapping);
                    const Perftools__Profiles__Mapping *m = p->mapping[l->mapping_id - 1];
                    cr_assert(l->address >= m->memory_start && l->address < m->memory_limit,
                              "%s: location %zu outside its mapping", fn, i + 1);
                    cr_assert(l->n_line >= 1);
                    inlined += l->n_line >= 2;
                    for (size_t k = 0; k < l->n_line; k++)
                        cr_assert(l->line[k]->function_id >= 1 &&
                                  l->line[k]->function_id <= p->n_function);
                }
                int64_t cpu = 0;
                for (size_t i = 0; i < p->n_sample; i++) {
                    const Perftools__Profiles__Sample *sm = p->sample[i];
                    cr_assert(eq(sz, sm->n_value, 2));
                    cr_assert(sm->value[0] >= 1);
                    cr_assert(eq(i64, sm->value[1], sm->value[0] * 10000000));
                    cr_assert(sm->n_location_id >= 1 && sm->n_location_id <= 64,
                              "depth %zu", sm->n_location_id);
                    if (sm->n_location_id > max_depth)
                        max_depth = sm->n_location_id;
                    deep += sm->n_location_id >= 15 ? (uint64_t)sm->value[0] : 0;
                    for (size_t k = 0; k < sm->n_location_id; k++)
                        cr_assert(sm->location_id[k] >= 1 &&
                                  sm->location_id[k] <= p->n_location);
                    cpu += sm->value[0];
                    nsamples += (uint64_t)sm->value[0];
                    const char *tid = NULL, *sid = NULL;
                    for (size_t k = 0; k < sm->n_label; k++) {
                        const char *key = str(p, sm->label[k]->key);
                        if (strcmp(key, "trace_id") == 0)
                            tid = str(p, sm->label[k]->str);
                        else if (strcmp(key, "span_id") == 0)
                            sid = str(p, sm->label[k]->str);
                    }
                    int both = (tid == NULL) == (sid == NULL);
                    cr_assert(both, "trace_id without span_id or back");
                    if (tid) {
                        cr_assert(is_hex(tid, 32), "trace id %s", tid);
                        cr_assert(is_hex(sid, 16), "span id %s", sid);
                        traced += (uint64_t)sm->value[0];
                        trace_samples += (uint64_t)sm->value[0];
                        if (ntrace_ids == captrace) {
                            captrace *= 2;
                            trace_ids = realloc(trace_ids, captrace * sizeof *trace_ids);
                        }
                        /* "<trace> <file>" so duplicates across files show */
                        char *e = malloc(200);
                        snprintf(e, 200, "%s %d", tid, files_seen);
                        trace_ids[ntrace_ids++] = e;
                    }
                }
                total += (uint64_t)cpu;
                if (cpu < min_cpu)
                    min_cpu = cpu;
                if (cpu > max_cpu)
                    max_cpu = cpu;
                cr_assert(cpu >= 200 && cpu <= 1800, "%s: %lld samples in 10 s",
                          fn, (long long)cpu);
                perftools__profiles__profile__free_unpacked(p, NULL);
            }
        }
    }
    cr_assert(eq(int, files_seen, 180));
    cr_assert(max_cpu > min_cpu + 100, "CPU does not vary across hosts and time");
    cr_assert(inlined > 0, "no inlined frames");
    cr_assert(max_depth >= 30, "deepest stack %zu", max_depth);
    cr_assert(deep * 10 >= nsamples * 6, "most samples have 15+ locations");
    double frac = (double)traced / (double)total;
    cr_assert(frac > 0.08 && frac < 0.12, "traced share %.3f", frac);
    /* each trace id lives in one file, and spans several samples */
    qsort(trace_ids, ntrace_ids, sizeof *trace_ids, cmp_str);
    size_t distinct = 0;
    for (size_t i = 0; i < ntrace_ids; i++) {
        if (i > 0 && strncmp(trace_ids[i], trace_ids[i - 1], 32) == 0)
            cr_assert(eq(str, trace_ids[i] + 33, trace_ids[i - 1] + 33),
                      "trace %.32s in two files", trace_ids[i]);
        else
            distinct++;
    }
    cr_assert(distinct > 100);
    double per_trace = (double)trace_samples / (double)distinct;
    cr_assert(per_trace > 2.0,
              "%.2f samples per trace", (double)trace_samples / (double)distinct);
    for (size_t i = 0; i < ntrace_ids; i++)
        free(trace_ids[i]);
    free(trace_ids);
}

Test(gen, stacks_look_like_go_services)
{
    char dir[300];
    snprintf(dir, sizeof dir, "%s/fleet", work);
    cr_assert(eq(int, gen(dir, "--services 12 --hosts 1 --duration 10s"), 0));
    static char svcs[32][128];
    int ns = names(dir, svcs, 32);
    cr_assert(eq(int, ns, 12), "services past the built-in list of 10");
    int http = 0, grpc = 0, libssl = 0, sql = 0, gc = 0;
    for (int s = 0; s < ns; s++) {
        char cmd[800], path[1024];
        FMT(cmd, "ls %s/%s/*/*.pb.gz", dir, svcs[s]);
        FILE *ls = popen(cmd, "r");
        cr_assert(fgets(path, sizeof path, ls) != NULL);
        pclose(ls);
        path[strcspn(path, "\n")] = '\0';
        Perftools__Profiles__Profile *p = load(path);
        char own[160];
        FMT(own, "github.com/acme/%s/", svcs[s]);
        int has_own = 0;
        for (size_t i = 0; i < p->n_function; i++) {
            const char *n = str(p, p->function[i]->name);
            const char *file = str(p, p->function[i]->filename);
            has_own |= strncmp(n, own, strlen(own)) == 0;
            http += strcmp(n, "net/http.(*conn).serve") == 0;
            grpc += strcmp(n, "google.golang.org/grpc.(*Server).handleStream") == 0;
            libssl += strcmp(n, "SSL_write") == 0 || strcmp(n, "SSL_read") == 0;
            sql += strcmp(n, "database/sql.(*DB).QueryContext") == 0;
            gc += strcmp(n, "runtime.gcBgMarkWorker") == 0;
            if (strncmp(n, "runtime.", 8) == 0)
                cr_assert(strncmp(file, "/usr/local/go/src/runtime/", 26) == 0,
                          "%s in %s", n, file);
        }
        cr_assert(has_own, "%s: no function of its own module", svcs[s]);
        perftools__profiles__profile__free_unpacked(p, NULL);
    }
    cr_assert(http > 0 && grpc > 0 && libssl > 0 && sql > 0 && gc > 0,
              "http %d grpc %d libssl %d sql %d gc %d", http, grpc, libssl, sql, gc);
}
