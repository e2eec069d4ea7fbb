/*
 * An engine runs translations: the C model, the RTL, or both in lockstep. `pmmu run`,
 * `pmmu cosim` and `pmmu sim` drive every engine through this one interface, and each engine
 * owns its physical memory (a pmem), so that the two halves of a lockstep run each make
 * their own A/D writes.
 */
#ifndef PMMU_ENGINE_H
#define PMMU_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pmem.h"
#include "pmmu/pmmu.h"

typedef enum engine_kind { ENGINE_MODEL, ENGINE_RTL, ENGINE_BOTH } engine_kind;

/* "model", "rtl", "both". */
bool engine_kind_parse(const char *name, engine_kind *out);
const char *engine_kind_name(engine_kind k);

typedef enum engine_reg { REG_CR0, REG_CR3, REG_CR4, REG_EFER } engine_reg;

const char *engine_reg_name(engine_reg r); /* "cr0", "cr3", "cr4", "efer" */

typedef struct engine_setup {
  unsigned tlb_sets, tlb_ways, tlb_large;
  pmmu_policy policy;
  pmem_timing timing;
} engine_setup;

typedef struct engine engine_t;

/* NULL with a sentence in `why` when the engine cannot be made (e.g. no RTL variant of
 * that geometry was built). */
engine_t *engine_create(engine_kind kind, const engine_setup *setup, char *why, size_t why_len);
/* The same with the RTL built with one of its deliberate bugs (docs/rtl.md), to show that
 * the lockstep checker catches it. */
engine_t *engine_create_mutant(engine_kind kind, const engine_setup *setup, const char *mutant,
                               char *why, size_t why_len);
void engine_destroy(engine_t *e);

/* Lockstep: the command printed with every mismatch, where mismatches are reported
 * (stderr by default), and how many there were. */
void engine_set_repro(engine_t *e, const char *command);
void engine_set_report(engine_t *e, FILE *f);
uint64_t engine_mismatches(engine_t *e);
/* Assertion failures reported by the RTL (0 without one). */
int engine_rtl_errors(const engine_t *e);
/* Opens an FST dump of the RTL (-1 without one, or when tracing was not built). */
int engine_waves(engine_t *e, const char *path);

int engine_translate(engine_t *e, const pmmu_request *req, pmmu_response *out);
/* A flush command given while a request is in flight: `after` cycles after its lookup cycle
 * (A + 1), so at or after it; `cycle` receives the absolute cycle it was given in. */
typedef struct engine_flush {
  pmmu_flush_kind kind;
  uint32_t la;
  unsigned after;
  uint64_t cycle;
} engine_flush;

/* engine_translate with a flush command during the request (timing.md T6, T7). */
int engine_translate_flush(engine_t *e, const pmmu_request *req, engine_flush *flush,
                           pmmu_response *out);

int engine_write_reg(engine_t *e, engine_reg reg, uint64_t value, uint64_t cycle,
                     pmmu_reg_result *out);
int engine_invlpg(engine_t *e, uint32_t la, uint64_t cycle);
uint64_t engine_ready_cycle(const engine_t *e);

/* Memory as the testbench sees it, outside any walk. */
bool engine_mem_write(engine_t *e, uint64_t pa, unsigned size, uint64_t value);
uint64_t engine_mem_read(const engine_t *e, uint64_t pa, unsigned size);

/* The control register as last written (successfully). */
uint64_t engine_read_reg(const engine_t *e, engine_reg reg);

/* Every half's memory answers its `index`-th walker request from now on (0 = the next one)
 * with a bus error. */
void engine_inject_bus_error(engine_t *e, uint64_t index);

/* The model inside the engine, for debug translation and statistics (NULL for rtl). */
pmmu_t *engine_model(engine_t *e);

#endif
