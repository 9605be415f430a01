/* gen_mix.h: the runtimes of a polyglot `kiln gen --mix` fleet besides Go:
 * which runtime a service runs on, and the composer of its model. */
#ifndef KILN_GEN_MIX_H
#define KILN_GEN_MIX_H

#include "gen_model.h"

enum { RT_GO, RT_JVM, RT_PYTHON, RT_NODE, RT_NATIVE, RT_COUNT };

/* The runtime of service idx in a mixed fleet: the first five services
 * cover every runtime, the rest are drawn from (seed, idx) in the
 * proportions of a typical fleet. */
int gen_mix_runtime(uint64_t seed, uint32_t idx);
/* Build the model of service idx (definition d) on runtime rt != RT_GO. */
void gen_mix_build(gsvc *m, uint64_t seed, uint32_t idx, int rt,
                   const gen_svcdef *d);

#endif
