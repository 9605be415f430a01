/* test_cli_util.c: the parsing every `kiln` subcommand relies on: times in
 * each documented syntax, durations, numbers, RFC 3339 output and the exit
 * code of each error class. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <string.h>

#include "cli_util.h"

#define S 1000000000LL
#define NOW (1764000000LL * S) /* 2025-11-24T16:00:00Z */

static int64_t t_of(const char *s)
{
    int64_t ns = 0;
    cr_assert(eq(int, cli_parse_time(s, NOW, &ns), 0), "parse %s: %s", s,
              kiln_error_last());
    return ns;
}

Test(cli_time, rfc3339_utc_and_offsets)
{
    cr_assert(eq(i64, t_of("2026-11-24T01:00:00Z"), 1795482000LL * S));
    cr_assert(eq(i64, t_of("2026-11-24t01:00:00z"), 1795482000LL * S));
    cr_assert(eq(i64, t_of("2026-11-24T03:00:00+02:00"), 1795482000LL * S));
    cr_assert(eq(i64, t_of("2026-11-23T19:30:00-05:30"), 1795482000LL * S));
    cr_assert(eq(i64, t_of("2026-11-24T01:00:00.25Z"), 1795482000LL * S + S / 4));
    cr_assert(eq(i64, t_of("2026-11-24T01:00:00.123456789123Z"),
                 1795482000LL * S + 123456789));
    cr_assert(eq(i64, t_of("1970-01-01T00:00:00Z"), 0));
    cr_assert(eq(i64, t_of("2024-02-29T00:00:00Z"), 1709164800LL * S));
    cr_assert(eq(i64, t_of("2026-11-24"), 1795478400LL * S));
    cr_assert(eq(i64, t_of("2000-02-29"), 951782400LL * S));
    /* the edges of the int64-nanosecond range kiln stores */
    cr_assert(eq(i64, t_of("2262-04-11T23:47:16.854775807Z"), INT64_MAX));
    cr_assert(eq(i64, t_of("1677-09-21T00:12:43.145224192Z"), INT64_MIN));
}

Test(cli_time, unix_seconds_and_now)
{
    cr_assert(eq(i64, t_of("1795482000"), 1795482000LL * S));
    cr_assert(eq(i64, t_of("1795482000.5"), 1795482000LL * S + S / 2));
    cr_assert(eq(i64, t_of("0"), 0));
    cr_assert(eq(i64, t_of("now"), NOW));
    cr_assert(eq(i64, t_of("now-1h"), NOW - 3600 * S));
    cr_assert(eq(i64, t_of("now+5m"), NOW + 300 * S));
    cr_assert(eq(i64, t_of("now-1h30m"), NOW - 5400 * S));
    cr_assert(eq(i64, t_of("now-2d"), NOW - 2 * 86400 * S));
}

Test(cli_time, rejects_what_it_cannot_read)
{
    static const char *const bad[] = {
        "", "yesterday", "now-", "now-1", "now-1x", "2026-13-01T00:00:00Z",
        "2026-11-24T25:00:00Z", "2026-11-24T01:00:00", "2026-11-24T01:00:00+0200",
        "2026-11-24T01:00:00Zjunk", "12abc", "-5", "2026-11-24T01:00:00.Z",
        /* impossible dates are refused, not rolled over */
        "2026-02-31T00:00:00Z", "2025-02-29T00:00:00Z", "2100-02-29T00:00:00Z",
        "2026-04-31", "2026-11-00",
        /* outside int64 nanoseconds: refused, not wrapped */
        "9999-12-31T23:59:59Z", "1000-01-01T00:00:00Z", "2262-04-11T23:47:17Z",
        "1677-09-21T00:12:43Z", "99999999999", "now+100000d",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ns = 42;
        int rc = cli_parse_time(bad[i], NOW, &ns);
        cr_assert(eq(int, rc, KILN_EINVAL), "accepted \"%s\"", bad[i]);
        cr_assert(eq(i64, ns, 42), "\"%s\" changed the output", bad[i]);
        cr_assert(strstr(kiln_error_last(), bad[i]) != NULL,
                  "message does not quote \"%s\": %s", bad[i], kiln_error_last());
    }
}

Test(cli_duration, units_sums_and_fractions)
{
    static const struct { const char *s; int64_t ns; } ok[] = {
        {"10s", 10 * S}, {"1h", 3600 * S}, {"1h30m", 5400 * S},
        {"1.5h", 5400 * S}, {"250ms", 250000000}, {"7us", 7000}, {"3ns", 3},
        {"2d", 172800 * S}, {"1m1s", 61 * S}, {"0s", 0},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t ns = -1;
        cr_assert(eq(int, cli_parse_duration(ok[i].s, &ns), 0), "%s", ok[i].s);
        cr_assert(eq(i64, ns, ok[i].ns), "%s", ok[i].s);
    }
    static const char *const bad[] = {"", "10", "h", "10x", "1h-5m", "s10",
                                      "1e3s", "999999999999d"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ns;
        cr_assert(eq(int, cli_parse_duration(bad[i], &ns), KILN_EINVAL),
                  "accepted \"%s\"", bad[i]);
    }
}

Test(cli_time, formats_rfc3339_utc)
{
    char out[48];
    cli_format_time(1795482000LL * S, out);
    cr_assert(eq(str, out, "2026-11-24T01:00:00Z"));
    cli_format_time(1795482000LL * S + 250000000, out);
    cr_assert(eq(str, out, "2026-11-24T01:00:00.25Z"));
    cli_format_time(-S / 2, out);
    cr_assert(eq(str, out, "1969-12-31T23:59:59.5Z"));
    /* what it prints, it reads back */
    int64_t ns;
    cr_assert(eq(int, cli_parse_time("2026-11-24T01:00:00.25Z", 0, &ns), 0));
    cr_assert(eq(i64, ns, 1795482000LL * S + 250000000));
}

Test(cli_numbers, bounds_are_enforced)
{
    uint64_t v = 0;
    double d = 0;
    cr_assert(eq(int, cli_parse_u64("12", 1, 100, "n", &v), 0));
    cr_assert(eq(u64, v, 12));
    cr_assert(eq(int, cli_parse_u64("0", 1, 100, "n", &v), KILN_EINVAL));
    cr_assert(eq(int, cli_parse_u64("101", 1, 100, "n", &v), KILN_EINVAL));
    cr_assert(eq(int, cli_parse_u64("-1", 0, 100, "n", &v), KILN_EINVAL));
    cr_assert(eq(int, cli_parse_u64("1x", 0, 100, "n", &v), KILN_EINVAL));
    cr_assert(eq(int, cli_parse_double("0.25", 0, 1, "f", &d), 0));
    cr_assert(eq(dbl, d, 0.25));
    cr_assert(eq(int, cli_parse_double("1.5", 0, 1, "f", &d), KILN_EINVAL));
    cr_assert(eq(int, cli_parse_double("nan", 0, 1, "f", &d), KILN_EINVAL));
}

Test(cli_exit, codes_by_error_class)
{
    cr_assert(eq(int, cli_exit_code(KILN_OK), 0));
    cr_assert(eq(int, cli_exit_code(KILN_EINVAL), 1));
    cr_assert(eq(int, cli_exit_code(KILN_EINPUT), 2));
    cr_assert(eq(int, cli_exit_code(KILN_ECORRUPT), 2));
    cr_assert(eq(int, cli_exit_code(KILN_ECHECKSUM), 2));
    cr_assert(eq(int, cli_exit_code(KILN_EVERSION), 2));
    cr_assert(eq(int, cli_exit_code(KILN_ELIMIT), 2));
    cr_assert(eq(int, cli_exit_code(KILN_EIO), 3));
    cr_assert(eq(int, cli_exit_code(KILN_ENOMEM), 3));
    cr_assert(eq(int, cli_exit_code(KILN_EAUTH), 3));
    cr_assert(eq(int, cli_exit_code(KILN_ENOTFOUND), 4));
}
