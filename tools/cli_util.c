/* cli_util.c: the helpers shared by the `kiln` subcommands: exit codes from
 * KILN_E* codes, "kiln CMD: message" errors, and parsing of the times and
 * durations users type (RFC 3339, unix seconds, now-1h, 1h30m). */
#include "cli_util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int cli_exit_code(int err)
{
    switch (err) {
    case KILN_OK:
        return CLI_EXIT_OK;
    case KILN_EINVAL:
        return CLI_EXIT_USAGE;
    case KILN_EINPUT:
    case KILN_ECORRUPT:
    case KILN_ECHECKSUM:
    case KILN_EVERSION:
    case KILN_ELIMIT:
        return CLI_EXIT_DATA;
    case KILN_ENOTFOUND:
        return CLI_EXIT_NOTFOUND;
    default: /* EIO, ENOMEM, EEXIST, EAUTH, anything else */
        return CLI_EXIT_IO;
    }
}

void cli_errorf(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "kiln %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_fail(const char *cmd, int err)
{
    const char *msg = kiln_error_last();
    if (msg == NULL || msg[0] == '\0')
        msg = kiln_strerror(err);
    cli_errorf(cmd, "%s", msg);
    return cli_exit_code(err);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "kiln %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'kiln help %s'.\n", cmd);
    return CLI_EXIT_USAGE;
}

/* ---- durations ---- */

static void skip_report(void *ud, const char *key, int err,
                        const char *message)
{
    cli_skips *sk = ud;
    size_t kn = strlen(key);
    char **nk;

    for (size_t i = 0; i < sk->nkeys; i++)
        if (strcmp(sk->keys[i], key) == 0)
            return;
    /* Out of memory here only loses the dedup, never the count or the
     * warning: a partial answer always exits CLI_EXIT_PARTIAL. */
    sk->n++;
    if ((nk = realloc(sk->keys, (sk->nkeys + 1) * sizeof *nk)) != NULL) {
        sk->keys = nk;
        if ((nk[sk->nkeys] = strdup(key)) != NULL)
            sk->nkeys++;
    }
    /* Block errors name the block first ("block KEY: ..."): once is
     * enough. */
    if (message && strncmp(message, "block ", 6) == 0 &&
        strncmp(message + 6, key, kn) == 0 && strncmp(message + 6 + kn, ": ", 2) == 0)
        message += 8 + kn;
    cli_errorf(sk->cmd, "warning: left out block %s: %s", key,
               message && message[0] ? message : kiln_strerror(err));
}

void cli_skips_attach(cli_skips *sk, int strict, kiln_query_opts *o)
{
    if (!strict) {
        o->on_skip = skip_report;
        o->skip_ud = sk;
    }
}

int cli_skips_exit(cli_skips *sk, int exit_code)
{
    size_t n = sk->n;

    for (size_t i = 0; i < sk->nkeys; i++)
        free(sk->keys[i]);
    free(sk->keys);
    sk->keys = NULL;
    sk->n = sk->nkeys = 0;
    if (exit_code != CLI_EXIT_OK || n == 0)
        return exit_code;
    cli_errorf(sk->cmd, "partial answer: %zu unreadable block%s left out "
               "(named above; --strict fails instead)", n, n == 1 ? "" : "s");
    return CLI_EXIT_PARTIAL;
}

static int unit_ns(const char *u, size_t n, int64_t *mult)
{
    static const struct { const char *name; int64_t ns; } units[] = {
        {"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000},
        {"m", 60000000000LL}, {"h", 3600000000000LL}, {"d", 86400000000000LL},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].name) == n && memcmp(units[i].name, u, n) == 0) {
            *mult = units[i].ns;
            return 0;
        }
    return -1;
}

int cli_parse_duration(const char *s, int64_t *ns)
{
    const char *p = s;
    double total = 0;
    if (s == NULL || *s == '\0')
        return kiln_error_set(KILN_EINVAL, "empty duration");
    while (*p) {
        const char *num = p;
        while ((*p >= '0' && *p <= '9') || *p == '.')
            p++;
        if (p == num)
            goto bad;
        char *end;
        double v = strtod(num, &end);
        if (end != p || !isfinite(v))
            goto bad;
        const char *u = p;
        while ((*p >= 'a' && *p <= 'z'))
            p++;
        int64_t mult;
        if (unit_ns(u, (size_t)(p - u), &mult) != 0)
            goto bad;
        total += v * (double)mult;
    }
    if (total > 9.2e18)
        return kiln_error_set(KILN_EINVAL, "duration \"%s\" is too long", s);
    *ns = (int64_t)llround(total);
    return 0;
bad:
    return kiln_error_set(KILN_EINVAL,
                          "bad duration \"%s\": expected numbers with units "
                          "(ns us ms s m h d), e.g. 10s, 1h30m", s);
}

/* ---- times ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int64_t days_in_month(int64_t y, int m)
{
    static const int8_t days[12] = {31, 28, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return days[m - 1] + (m == 2 && leap);
}

/* secs * 1e9 + frac into *ns; -1 when outside the int64 nanosecond range
 * (1677-09-21 to 2262-04-11), which kiln stores times in. */
static int secs_to_ns(int64_t secs, int64_t frac, int64_t *ns)
{
    int64_t v;
    if (secs < 0 && frac > 0) { /* the range's low end is not whole seconds */
        secs += 1;
        frac -= 1000000000;
    }
    if (__builtin_mul_overflow(secs, (int64_t)1000000000, &v) ||
        __builtin_add_overflow(v, frac, &v))
        return -1;
    *ns = v;
    return 0;
}

static int out_of_range(const char *s)
{
    return kiln_error_set(KILN_EINVAL,
                          "time \"%s\" is outside the range kiln stores "
                          "(1677-09-21T00:12:44Z to 2262-04-11T23:47:16Z)", s);
}

/* n digits at *p as an integer; advances *p. -1 if not n digits. */
static int64_t digits(const char **p, int n)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    return v;
}

static int parse_rfc3339(const char *s, int64_t *ns)
{
    const char *p = s;
    int64_t y = digits(&p, 4);
    if (y < 0 || *p++ != '-')
        return -1;
    int64_t mo = digits(&p, 2);
    if (mo < 1 || mo > 12 || *p++ != '-')
        return -1;
    int64_t d = digits(&p, 2);
    if (d < 1 || d > days_in_month(y, (int)mo))
        return -1; /* 2026-02-31 is refused, not rolled over to March */
    int64_t h = 0, mi = 0, sec = 0, frac = 0, off = 0;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        h = digits(&p, 2);
        if (h < 0 || h > 23 || *p++ != ':')
            return -1;
        mi = digits(&p, 2);
        if (mi < 0 || mi > 59)
            return -1;
        if (*p == ':') {
            p++;
            sec = digits(&p, 2);
            if (sec < 0 || sec > 60)
                return -1;
            if (*p == '.') {
                p++;
                int n = 0;
                while (*p >= '0' && *p <= '9') {
                    if (n < 9) {
                        frac = frac * 10 + (*p - '0');
                        n++;
                    }
                    p++;
                }
                if (n == 0)
                    return -1;
                for (; n < 9; n++)
                    frac *= 10;
            }
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1;
            int64_t oh = digits(&p, 2);
            if (oh < 0 || oh > 23 || *p++ != ':')
                return -1;
            int64_t om = digits(&p, 2);
            if (om < 0 || om > 59)
                return -1;
            off = sign * (oh * 3600 + om * 60);
        } else {
            return -1; /* RFC 3339 requires a zone */
        }
    }
    if (*p != '\0')
        return -1;
    int64_t secs = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
                   h * 3600 + mi * 60 + sec - off;
    return secs_to_ns(secs, frac, ns) == 0 ? 0 : -2;
}

int64_t cli_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int cli_parse_time(const char *s, int64_t now_ns, int64_t *ns)
{
    if (s == NULL || *s == '\0')
        return kiln_error_set(KILN_EINVAL, "empty time");
    if (strncmp(s, "now", 3) == 0) {
        int64_t d = 0;
        if (s[3] == '\0') {
            *ns = now_ns;
            return 0;
        }
        if ((s[3] != '-' && s[3] != '+') || cli_parse_duration(s + 4, &d) != 0)
            return kiln_error_set(KILN_EINVAL,
                                  "bad time \"%s\": expected now, now-DURATION "
                                  "or now+DURATION (e.g. now-1h)", s);
        int64_t t;
        if (s[3] == '-' ? __builtin_sub_overflow(now_ns, d, &t)
                        : __builtin_add_overflow(now_ns, d, &t))
            return out_of_range(s);
        *ns = t;
        return 0;
    }
    /* Unix seconds, maybe with a fraction. */
    const char *p = s;
    while (*p >= '0' && *p <= '9')
        p++;
    if (p != s && (*p == '\0' || *p == '.')) {
        const char *q = p;
        int64_t frac = 0;
        int n = 0;
        if (*q == '.') {
            q++;
            while (*q >= '0' && *q <= '9') {
                if (n < 9) {
                    frac = frac * 10 + (*q - '0');
                    n++;
                }
                q++;
            }
            for (; n < 9; n++)
                frac *= 10;
        }
        if (*q == '\0' && p - s <= 11) {
            errno = 0;
            long long sec = strtoll(s, NULL, 10);
            if (errno == 0) {
                if (secs_to_ns((int64_t)sec, frac, ns) != 0)
                    return out_of_range(s);
                return 0;
            }
        }
    }
    int r = parse_rfc3339(s, ns);
    if (r == 0)
        return 0;
    if (r == -2)
        return out_of_range(s);
    return kiln_error_set(KILN_EINVAL,
                          "bad time \"%s\": expected RFC 3339 "
                          "(2026-11-24T01:00:00Z), unix seconds or now-1h", s);
}

void cli_format_time(int64_t ns, char out[48])
{
    int64_t sec = ns / 1000000000LL, frac = ns % 1000000000LL;
    if (frac < 0) {
        frac += 1000000000LL;
        sec -= 1;
    }
    time_t t = (time_t)sec;
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL) {
        snprintf(out, 48, "%lld", (long long)ns);
        return;
    }
    size_t n = strftime(out, 48, "%Y-%m-%dT%H:%M:%S", &tm);
    if (frac != 0) {
        char f[16];
        snprintf(f, sizeof f, ".%09lld", (long long)frac);
        size_t k = strlen(f);
        while (k > 1 && f[k - 1] == '0')
            f[--k] = '\0';
        snprintf(out + n, 48 - n, "%sZ", f);
    } else {
        snprintf(out + n, 48 - n, "Z");
    }
}

int cli_parse_u64(const char *s, uint64_t min, uint64_t max, const char *what,
                  uint64_t *out)
{
    char *end;
    if (s == NULL || *s < '0' || *s > '9')
        goto bad;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        goto bad;
    *out = v;
    return 0;
bad:
    return kiln_error_set(KILN_EINVAL, "bad %s \"%s\": expected an integer "
                          "from %llu to %llu", what, s ? s : "",
                          (unsigned long long)min, (unsigned long long)max);
}

int cli_parse_double(const char *s, double min, double max, const char *what,
                     double *out)
{
    char *end;
    if (s == NULL || *s == '\0')
        goto bad;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v) || v < min || v > max)
        goto bad;
    *out = v;
    return 0;
bad:
    return kiln_error_set(KILN_EINVAL, "bad %s \"%s\": expected a number "
                          "from %g to %g", what, s ? s : "", min, max);
}

int cli_read_file(const char *path, size_t max, kiln_buf *out)
{
    size_t start = out->len;
    int rc = 0;
    int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = kiln_error_set(errno == ENOENT ? KILN_ENOTFOUND : KILN_EIO,
                            "%s: %s", path, strerror(errno));
        goto out;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        rc = kiln_error_set(KILN_EIO, "%s: is a directory", path);
        goto out;
    }
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        (uint64_t)st.st_size > max) {
        rc = kiln_error_set(KILN_ELIMIT, "%s: %llu bytes, above the %zu MiB "
                            "input limit", path,
                            (unsigned long long)st.st_size, max >> 20);
        goto out;
    }
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        rc = kiln_buf_reserve(out, (size_t)st.st_size + 1);
        if (rc != 0)
            goto out;
    }
    for (;;) {
        rc = kiln_buf_reserve(out, 65536);
        if (rc != 0)
            goto out;
        ssize_t n = read(fd, out->data + out->len, out->cap - out->len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = kiln_error_set(KILN_EIO, "%s: %s", path, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        out->len += (size_t)n;
        if (out->len - start > max) { /* a pipe, /dev/zero, a growing file */
            rc = kiln_error_set(KILN_ELIMIT, "%s: more than the %zu MiB "
                                "input limit", path, max >> 20);
            goto out;
        }
    }
out:
    if (fd > 0)
        close(fd);
    return rc;
}

void cli_format_bytes(uint64_t n, char out[32])
{
    if (n < 1000)
        snprintf(out, 32, "%llu B", (unsigned long long)n);
    else if (n < 1000000)
        snprintf(out, 32, "%.1f kB", (double)n / 1e3);
    else if (n < 1000000000)
        snprintf(out, 32, "%.1f MB", (double)n / 1e6);
    else
        snprintf(out, 32, "%.2f GB", (double)n / 1e9);
}

int cli_stdout_is_tty(void)
{
    return isatty(1);
}

void cli_json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

int cli_keylist_collect(void *ud, const char *key, uint64_t size)
{
    cli_keylist *l = ud;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **k = realloc(l->keys, cap * sizeof *k);
        if (!k)
            return kiln_error_set(KILN_ENOMEM, "out of memory");
        l->keys = k;
        uint64_t *s = realloc(l->sizes, cap * sizeof *s);
        if (!s)
            return kiln_error_set(KILN_ENOMEM, "out of memory");
        l->sizes = s;
        l->cap = cap;
    }
    if (!(l->keys[l->n] = strdup(key)))
        return kiln_error_set(KILN_ENOMEM, "out of memory");
    l->sizes[l->n++] = size;
    return 0;
}

void cli_keylist_free(cli_keylist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->keys[i]);
    free(l->keys);
    free(l->sizes);
}

void cli_selection_title(char *out, size_t cap, const char *selector,
                         const char *trace_hex, const char *span_hex,
                         const char *type)
{
    int n = snprintf(out, cap, "%s", selector && *selector ? selector
                                                           : "all series");
    if (trace_hex && n >= 0 && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n, ", trace %s", trace_hex);
    if (span_hex && n >= 0 && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n, ", span %s", span_hex);
    if (type && n >= 0 && (size_t)n < cap)
        snprintf(out + n, cap - (size_t)n, ", type %s", type);
}

size_t cli_pick_type(const kiln_result *r, const char *want)
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

int cli_write_out(const char *path, const void *p, size_t n)
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
