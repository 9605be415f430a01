/* tables.c: read access to a block's tables (kiln/rows.h) for callers
 * outside the library, who see rows as ids: what a stack node, location,
 * line and link hold. Pure lookups over the decoded structures. */
#include <stdatomic.h>

#include <kiln/rows.h>

#include "format_internal.h"

uint64_t tables_serial_next(void)
{
    static _Atomic uint64_t next = 1;
    return atomic_fetch_add(&next, 1);
}

void kiln_tables_counts_get(const kiln_tables *t, kiln_tables_counts *out)
{
    out->nstacks = t->stacks->n;
    out->nlocations = t->sym->nlocations;
    out->nseries = t->series->nseries;
    out->nlinks = t->nlinks;
}

int kiln_tables_stack(const kiln_tables *t, uint32_t node, uint32_t *parent,
                      uint32_t *location)
{
    if (node == 0 || node >= t->stacks->n)
        return kiln_error_set(KILN_EINVAL, "tables: stack node %u of %zu",
                              node, t->stacks->n);
    *parent = t->stacks->parent[node];
    *location = t->stacks->loc[node];
    return api_return(0);
}

int kiln_tables_location(const kiln_tables *t, uint32_t location,
                         kiln_location_info *out)
{
    const kiln_symtab *s = t->sym;
    const kiln_location *l;

    if (location >= s->nlocations)
        return kiln_error_set(KILN_EINVAL, "tables: location %u of %zu",
                              location, s->nlocations);
    l = &s->locations[location];
    out->address = l->address;
    out->nlines = l->nlines;
    out->is_folded = l->is_folded != 0;
    out->mapping_file = out->build_id = "";
    out->memory_start = out->memory_limit = out->file_offset = 0;
    if (l->mapping) {
        const kiln_mapping *m = &s->mappings[l->mapping - 1];
        out->mapping_file = strtab_get(&s->strings, m->filename);
        out->build_id = strtab_get(&s->strings, m->build_id);
        out->memory_start = m->memory_start;
        out->memory_limit = m->memory_limit;
        out->file_offset = m->file_offset;
    }
    return api_return(0);
}

int kiln_tables_line(const kiln_tables *t, uint32_t location, size_t i,
                     kiln_line_info *out)
{
    const kiln_symtab *s = t->sym;
    const kiln_line *ln;
    const kiln_function *f;

    if (location >= s->nlocations || i >= s->locations[location].nlines)
        return kiln_error_set(KILN_EINVAL, "tables: line %zu of location %u",
                              i, location);
    ln = &s->lines[s->locations[location].line_off + i];
    if (ln->function == KILN_NOFUNC) { /* a line without a function */
        out->function = out->system_name = out->filename = "";
        out->start_line = 0;
    } else {
        f = &s->functions[ln->function];
        out->function = strtab_get(&s->strings, f->name);
        out->system_name = strtab_get(&s->strings, f->system_name);
        out->filename = strtab_get(&s->strings, f->filename);
        out->start_line = f->start_line;
    }
    out->line = ln->line;
    out->column = ln->column;
    return api_return(0);
}

int kiln_tables_link(const kiln_tables *t, uint32_t ref,
                     const uint8_t **trace_id, const uint8_t **span_id)
{
    if (ref == 0 || ref > t->nlinks)
        return kiln_error_set(KILN_EINVAL, "tables: link reference %u of %zu",
                              ref, t->nlinks);
    *trace_id = t->links[ref - 1].trace_id;
    *span_id = t->links[ref - 1].span_id;
    return api_return(0);
}

const char *kiln_tables_series_label(const kiln_tables *t, uint32_t series,
                                     const char *name)
{
    if (series >= t->series->nseries)
        return NULL;
    return series_label(t->series, series, name);
}
