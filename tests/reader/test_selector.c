/* test_selector.c: the label selector grammar: what parses, and that every
 * syntax error is KILN_EINVAL naming the position where it was found. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

#include <kiln/kiln.h>

static int parse(const char *sel)
{
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    kiln_result *r = NULL;
    o.selector = sel;
    kiln_error_clear();
    int rc = kiln_result_new(&r, &o);
    if (rc == 0)
        cr_assert(r != NULL);
    else
        cr_assert(r == NULL);
    kiln_result_free(r);
    return rc;
}

Test(reader_selector, accepts_valid_selectors)
{
    static const char *ok[] = {
        "",
        "{}",
        "  {  }  ",
        "{a=\"b\"}",
        "a=\"b\"",
        "a=\"b\", c!=\"d\"",
        "{a=\"b\",}",
        "{service_name=~\"api|web\", host!~\"h[0-9]+\"}",
        "{_x.y_1=\"\"}",
        "{a=\"with \\\"quotes\\\" and \\\\ backslash\"}",
        "{a=\"tab\\tnewline\\n\"}",
        "{a=~\"\"}",
        "{a = \"b\" , c =~ \".*\" }",
        "{a=\"ünïcode\"}",
        /* quoted label names (Prometheus 3): spaces, non-ASCII, escapes */
        "{\"hôst\"=\"x\"}",
        "{\"service name\"=~\"a.*\", \"q\\\"t\"!=\"\"}",
        "\"1a\"=\"b\"",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        cr_assert(eq(int, parse(ok[i]), 0), "\"%s\": %s", ok[i],
                  kiln_error_last());
}

Test(reader_selector, rejects_bad_selectors_with_their_position)
{
    static const struct {
        const char *sel;
        size_t pos; /* 1-based */
    } bad[] = {
        {"{", 2},
        {"{a}", 3},
        {"{a=}", 4},
        {"{a=b}", 4},
        {"{a=\"b}", 4},
        {"{a=\"b\"", 7},
        {"{a==\"b\"}", 4},
        {"{a=\"b\" c=\"d\"}", 8},
        {"{1a=\"b\"}", 2},
        {"{a<\"b\"}", 3},
        {"{a=\"b\"} x", 9},
        {"a=\"b\"}", 6},
        {"{a=\"\\q\"}", 5},
        {"{,}", 2},
        {"{a=\"b\",,}", 8},
        {"{\"\"=\"b\"}", 2},
        {"{\"a=\"b\"}", 6}, /* the name is "a=": then b is no operator */
        {"{\"a\\q\"=\"b\"}", 4},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[64];
        cr_assert(eq(int, parse(bad[i].sel), KILN_EINVAL), "\"%s\"",
                  bad[i].sel);
        snprintf(want, sizeof want, "position %zu", bad[i].pos);
        cr_assert(strstr(kiln_error_last(), want) != NULL,
                  "\"%s\": got \"%s\", want %s", bad[i].sel,
                  kiln_error_last(), want);
        cr_assert(strncmp(kiln_error_last(), "selector: ", 10) == 0);
    }
}

Test(reader_selector, rejects_bad_regular_expressions)
{
    cr_assert(eq(int, parse("{a=~\"(unclosed\"}"), KILN_EINVAL));
    cr_assert(strstr(kiln_error_last(), "regular expression") != NULL, "%s",
              kiln_error_last());
    cr_assert(eq(int, parse("{a!~\"[z-a]\"}"), KILN_EINVAL));
}

/* Regexes a POSIX engine would spend gigabytes compiling are refused
 * before regcomp, naming why; ordinary ones (brackets with "]" and
 * classes, bounded repetitions that stay small) still compile. */
Test(reader_selector, refuses_regexes_that_would_blow_up)
{
    static const struct {
        const char *sel, *why;
    } bad[] = {
        {"{a=~\"x+++++++++++++++++++++\"}", "two repetition operators"},
        {"{a=~\"x{2}{3}\"}", "two repetition operators"},
        {"{a=~\"x*?\"}", "two repetition operators"},
        {"{a=~\"((a{200}){200}){200}\"}", "expand past 10000"},
        {"{a=~\"x{10001}\"}", "expand past 10000"},
        {"{a=~\"(a|b{5000}){3}\"}", "expand past 10000"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert(eq(int, parse(bad[i].sel), KILN_EINVAL), "%s", bad[i].sel);
        cr_assert(strstr(kiln_error_last(), bad[i].why) != NULL, "%s: %s",
                  bad[i].sel, kiln_error_last());
    }
    static const char *good[] = {
        "{a=~\"web-.*\"}", "{a=~\"(api|www)-[0-9]+\"}", "{a=~\"[]x]+y\"}",
        "{a=~\"[[:alpha:]]{3}[^]]?\"}", "{a=~\"(ab){50}c{100}\"}",
        "{a=~\"\\\\++\"}",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        cr_assert(eq(int, parse(good[i]), 0), "%s: %s", good[i],
                  kiln_error_last());
    char *big = malloc(5000);
    memset(big, 'x', 5000);
    memcpy(big, "{a=~\"", 5);
    memcpy(big + 4994, "\"}", 3);
    cr_assert(eq(int, parse(big), KILN_EINVAL));
    cr_assert(strstr(kiln_error_last(), "longer than 4096") != NULL, "%s",
              kiln_error_last());
    free(big);
}

Test(reader_selector, rejects_options_of_another_version)
{
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    kiln_result *r = NULL;
    o.version = 99;
    cr_assert(eq(int, kiln_result_new(&r, &o), KILN_EINVAL));
    cr_assert(eq(ptr, r, NULL));
    cr_assert(eq(int, kiln_result_new(&r, NULL), 0), "NULL = defaults");
    cr_assert(eq(sz, kiln_result_ntypes(r), 0));
    kiln_result_free(r);
}
