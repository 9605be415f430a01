/* otlp_layout.c: kiln_otlp_detect, an OTLP request's layout read from its
 * wire types (Sample fields 3 and 4 changed type in v1.10.0; Profile field 3
 * marks pre-v1.8.0 tables), so writer/otlp.c picks the matching decoder. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "writer_internal.h"

#define READS "kiln reads the layouts of opentelemetry-proto v1.8.0-v1.9.0 " \
              "and v1.10.0-v1.11.0 (tables in the request's ProfilesDictionary)"

/* What the samples say, with the first sample that said it. */
typedef struct evidence {
    size_t n;                 /* samples that said it */
    size_t prof, samp;        /* the first of them */
    const char *why;          /* what it saw */
} evidence;

typedef struct probe {
    kiln_cur cur;             /* over the whole request, for offsets */
    size_t prof;              /* request-wide profile number */
    size_t nattr;             /* entries of the dictionary's attribute_table */
    uint64_t amb_max;         /* largest field-2 entry of the samples with
                                 one per timestamp (as uint64: negative =
                                 huge) */
    size_t amb_prof, amb_samp; /* the first such sample */
    bool amb;                 /* there is one */
    evidence v19, v111;       /* decisive: a wire type only one layout has */
    evidence w19, w111;       /* tie-breakers: the other reading is invalid */
} probe;

static void note(evidence *e, size_t prof, size_t samp, const char *why)
{
    if (e->n++ == 0) {
        e->prof = prof;
        e->samp = samp;
        e->why = why;
    }
}

static const char *wt_name(uint8_t wt)
{
    switch (wt) {
    case KILN_PB_VARINT: return "a varint";
    case KILN_PB_I64: return "fixed64";
    case KILN_PB_LEN: return "length-delimited";
    case KILN_PB_I32: return "fixed32";
    default: return "?";
    }
}

static int bad(const probe *pr, const char *fmt, const char *a, const char *b)
{
    char msg[512];
    snprintf(msg, sizeof msg, fmt, a, b);
    return kiln_error_set(KILN_EINPUT, "otlp: profile %zu: %s", pr->prof, msg);
}

/* Walk the fields of one message in [p, p+n). */
#define EACH_FIELD(pr, p, n, f, rc)                                         \
    kiln_cur sub_ = {(p), (p) + (n), (pr)->cur.base, "otlp request"};      \
    while (((rc) = pb_next(&sub_, &(f))) == 0)

static int probe_sample(probe *pr, size_t samp, const uint8_t *p, size_t n)
{
    kiln_pbfield f;
    int rc;
    size_t n2 = 0, n5 = 0, n3v = 0, n4v = 0;
    uint64_t max2 = 0;
    bool has2 = false, has3len = false, has4len = false, has5 = false;
    EACH_FIELD(pr, p, n, f, rc) {
        switch (f.num) {
        case 1:
            if (f.wt != KILN_PB_VARINT)
                return bad(pr, "a sample's field 1 (stack_index) is %s, want "
                           "a varint%s", wt_name(f.wt), "");
            break;
        case 2:
            has2 = true;
            if (f.wt == KILN_PB_LEN) {
                kiln_cur pk;
                uint64_t v;
                cur_init(&pk, f.p, f.len, "otlp request");
                while (cur_left(&pk) && get_uvarint(&pk, &v) == 0) {
                    max2 = v > max2 ? v : max2;
                    n2++;
                }
            } else {
                max2 = f.v > max2 ? f.v : max2;
                n2++;
            }
            break;
        case 3:
            if (f.wt == KILN_PB_LEN)
                has3len = true;
            else
                n3v++;
            break;
        case 4:
            if (f.wt == KILN_PB_LEN)
                has4len = true;
            else
                n4v++;
            break;
        case 5:
            has5 = true;
            n5 += f.wt == KILN_PB_LEN ? f.len / 8 : 1;
            break;
        default:
            break;
        }
    }
    if (rc != KILN_ITEROVER)
        return rc;
    /* v1.9: values=2, attribute_indices=3 (packed), link_index=4 (varint).
     * v1.11: attribute_indices=2 (packed), link_index=3 (varint), values=4
     * (packed). Repeated fields are packed by every proto3 encoder; a
     * singular field is written once. */
    if (has3len || n3v > 1)
        note(&pr->v19, pr->prof, samp, "field 3 repeated (attribute_indices)");
    if (has4len || n4v > 1)
        note(&pr->v111, pr->prof, samp, "field 4 repeated (values)");
    if (has2 && !has5 && !has4len && n4v == 0)
        note(&pr->w19, pr->prof, samp, "field 2 without fields 4 or 5 (values)");
    if (has2 && has5 && n2 != n5)
        note(&pr->w111, pr->prof, samp, "field 2 not one per timestamp "
             "(attribute_indices)");
    if (n4v == 1 && !has4len)
        note(&pr->w19, pr->prof, samp, "field 4 a single varint (link_index)");
    if (has2 && has5 && n2 == n5 && !has3len && !has4len && n3v <= 1 &&
        n4v <= 1) { /* values or attribute indices: see otlp_layout_of */
        if (!pr->amb) {
            pr->amb = true;
            pr->amb_prof = pr->prof;
            pr->amb_samp = samp;
        }
        pr->amb_max = max2 > pr->amb_max ? max2 : pr->amb_max;
    }
    return 0;
}

/* Profile fields 1-11 of the dictionary layouts and their wire types; the
 * older layouts (v1.7.0 and before) reuse numbers 3-10 for per-Profile
 * tables and other fields. */
static const struct {
    uint8_t wt, alt;
    const char *name;
} prof_fields[12] = {
    [1] = {KILN_PB_LEN, KILN_PB_LEN, "sample_type"},
    [2] = {KILN_PB_LEN, KILN_PB_LEN, "samples"},
    [3] = {KILN_PB_I64, KILN_PB_I64, "time_unix_nano (fixed64)"},
    [4] = {KILN_PB_VARINT, KILN_PB_VARINT, "duration_nano (varint)"},
    [5] = {KILN_PB_LEN, KILN_PB_LEN, "period_type"},
    [6] = {KILN_PB_VARINT, KILN_PB_VARINT, "period (varint)"},
    [7] = {KILN_PB_LEN, KILN_PB_LEN, "profile_id"},
    [8] = {KILN_PB_VARINT, KILN_PB_VARINT, "dropped_attributes_count"},
    [9] = {KILN_PB_LEN, KILN_PB_LEN, "original_payload_format"},
    [10] = {KILN_PB_LEN, KILN_PB_LEN, "original_payload"},
    [11] = {KILN_PB_LEN, KILN_PB_VARINT, "attribute_indices"},
};

static int probe_profile(probe *pr, const uint8_t *p, size_t n)
{
    kiln_pbfield f;
    int rc;
    size_t samp = 0;
    EACH_FIELD(pr, p, n, f, rc) {
        if (f.num < 12 && f.wt != prof_fields[f.num].wt &&
            f.wt != prof_fields[f.num].alt) {
            char field[64];
            snprintf(field, sizeof field, "field %" PRIu32 " is %s",
                     f.num, wt_name(f.wt));
            return bad(pr, "%s where v1.8.0 and later have %s: an older OTLP "
                       "profiles layout (opentelemetry-proto v1.7.0 or "
                       "earlier, tables inside each Profile); " READS,
                       field, prof_fields[f.num].name);
        }
        if (f.num == 2 && (rc = probe_sample(pr, samp++, f.p, f.len)) < 0)
            return rc;
    }
    return rc == KILN_ITEROVER ? 0 : rc;
}

/* The messages that hold profiles: field `want` (length-delimited) of each
 * level, down to the profiles. */
static int probe_level(probe *pr, const uint8_t *p, size_t n, int depth)
{
    static const uint32_t want[3] = {1, 2, 2}; /* request, resource, scope */
    kiln_pbfield f;
    int rc;
    EACH_FIELD(pr, p, n, f, rc) {
        if (depth == 0 && f.num == 2 && f.wt == KILN_PB_LEN) {
            /* the dictionary: count its attribute_table (field 6) */
            kiln_cur dc;
            kiln_pbfield df;
            cur_init(&dc, f.p, f.len, "otlp request");
            while (pb_next(&dc, &df) == 0)
                pr->nattr += df.num == 6;
            continue;
        }
        if (f.num != want[depth])
            continue;
        if (f.wt != KILN_PB_LEN)
            return kiln_error_set(KILN_EINPUT, "otlp: %s field %" PRIu32
                                  " is %s, want a message: not an "
                                  "ExportProfilesServiceRequest",
                                  depth == 0 ? "request" :
                                  depth == 1 ? "ResourceProfiles" :
                                  "ScopeProfiles", f.num, wt_name(f.wt));
        if (depth < 2)
            rc = probe_level(pr, f.p, f.len, depth + 1);
        else
            rc = probe_profile(pr, f.p, f.len);
        if (depth == 2)
            pr->prof++;
        if (rc < 0)
            return rc;
    }
    return rc == KILN_ITEROVER ? 0 : rc;
}

int otlp_layout_of(const void *data, size_t len, kiln_otlp_layout *out)
{
    probe pr;
    int rc;
    memset(&pr, 0, sizeof pr);
    *out = KILN_OTLP_V1_11;
    cur_init(&pr.cur, data, len, "otlp request");
    if ((rc = probe_level(&pr, data, len, 0)) < 0) {
        if (rc == KILN_ECORRUPT) /* a truncated field: bad input, not a block */
            rc = kiln_error_wrap(KILN_EINPUT, "otlp: not a valid protobuf: ");
        return rc;
    }
    /* Samples with field 2 holding one entry per timestamp read as either
     * layout; an entry that is no attribute index (past attribute_table)
     * makes them v1.9 values. */
    if (pr.amb && pr.amb_max >= pr.nattr)
        note(&pr.w19, pr.amb_prof, pr.amb_samp,
             "field 2 entries past attribute_table (values)");
    const evidence *a = &pr.v19, *b = &pr.v111;
    if (!a->n && !b->n) {
        a = &pr.w19;
        b = &pr.w111;
    }
    if (a->n && b->n)
        return kiln_error_set(KILN_EINPUT, "otlp: samples disagree on the "
                              "layout: profile %zu sample %zu has %s (v1.9), "
                              "profile %zu sample %zu %s (v1.11)", a->prof,
                              a->samp, a->why, b->prof, b->samp, b->why);
    /* Nothing either way (no samples, or only fields 1, 2 and 5 one per
     * timestamp, every field-2 entry a valid attribute index): the current
     * layout. */
    *out = a->n ? KILN_OTLP_V1_9 : KILN_OTLP_V1_11;
    return 0;
}

int kiln_otlp_detect(kiln_otlp_layout *out, const void *data, size_t len)
{
    kiln_buf raw = KILN_BUF_INIT;
    int rc;
    *out = KILN_OTLP_V1_11;
    if (!data && len)
        return kiln_error_set(KILN_EINVAL, "otlp: NULL data");
    const uint8_t *p = data;
    if ((rc = wr_gunzip_input(&p, &len, &raw, "otlp")) < 0)
        goto out;
    rc = otlp_layout_of(p, len, out);
out:
    kiln_buf_free(&raw);
    return api_return(rc);
}
