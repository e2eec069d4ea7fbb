/*
 * The directed lockstep programs' common rig (inject.c, busy.c): one engine of the kind named
 * on the command line (optionally the RTL built with a mutant), small page tables whose every
 * expected cycle follows from docs/timing.md by hand (latency 3, no back-pressure), and checks
 * that count. Lockstep differences are reported as they come and fail the program at the end.
 */
#ifndef PMMU_DIRECTED_RIG_H
#define PMMU_DIRECTED_RIG_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine.h"

extern engine_kind rig_kind;   /* from argv[1] */
extern const char *rig_mutant; /* argv[2], or NULL */
extern unsigned rig_failures, rig_checks;

#define CHECK(cond, ...)                          \
  do {                                            \
    rig_checks++;                                 \
    if (!(cond)) {                                \
      rig_failures++;                             \
      printf("FAIL %s:%d: ", __func__, __LINE__); \
      printf(__VA_ARGS__);                        \
      printf("\n");                               \
    }                                             \
  } while (0)

/* 32-bit tables: directory at 0x1000, table at 0x2000; LA4K(n) maps frame 0x100000 + n*0x1000
 * (P W U, A and D clear); PDE[2] (LA4M) a 4 MiB page at 0x01000000 (P W U PS, A clear); PDE[3]
 * not present (LA_NP + n*0x1000 fault). PAE: PDPT at 0x3000 (PDPTE[0] -> 0x4000), directory
 * at 0x4000 with PDE[2] -> table 0x5000, whose PTE[0] maps 0x00400000 to 0x200000. */
#define DIR 0x1000u
#define TABLE 0x2000u
#define LA4K(n) (0x00400000u + (uint32_t)(n)*0x1000u)
#define LA4M 0x00800000u
#define LA_NP(n) (0x00C00010u + (uint32_t)(n)*0x1000u)
#define PDPT 0x3000u
#define PAE_DIR 0x4000u
#define PAE_TABLE 0x5000u
#define PWU 0x7u

typedef struct rig {
  engine_t *e;
  uint64_t now; /* the next free cycle: a request or command is given from here on */
} rig;

/* Parses "[model|rtl|both] [MUTANT]" into rig_kind and rig_mutant; false on bad usage. */
bool rig_args(int argc, char **argv);
/* A fresh engine (16x4x8 plru, latency 3), the tables written, booted in cycles 0 and 1. */
rig rig_make(void);
/* Out of reset (cycle `c`): CR3 in c, CR4.PSE in c + 1 (32-bit paging). */
void rig_boot(rig *r, uint64_t c);
/* Memory written outside any walk, in both halves; exits on failure. */
void rig_poke(rig *r, uint64_t pa, unsigned size, uint64_t value);
/* An operation's status: lockstep differences are reported; false (and counted) on a hang or
 * an error, when there is no response to go on with. */
bool rig_ok(rig *r, int st, const char *what);
/* A request presented in r->now; r->now moves past its response. */
pmmu_response rig_access(rig *r, uint32_t la, pmmu_access acc, pmmu_priv priv);
/* Ends the run: no lockstep difference and no RTL assertion may remain. */
void rig_finish(rig *r);

#endif
