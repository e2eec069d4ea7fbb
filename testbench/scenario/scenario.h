/*
 * The `.pmmu` scenario language (docs/spec/scenario-format.md): parsing and checking.
 * A scenario is parsed and checked whole before anything runs; every bad line is reported
 * as `FILE:LINE: error: WHAT`.
 */
#ifndef PMMU_SCENARIO_H
#define PMMU_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pmem.h"
#include "pmmu/pmmu.h"

typedef enum scn_kind {
  SCN_CR0,
  SCN_CR3,
  SCN_CR4,
  SCN_EFER, /* a = value */
  SCN_SET,  /* sets[first .. first + count) */
  SCN_MEM32,
  SCN_MEM64, /* a = pa, b = value */
  SCN_DUMP32,
  SCN_DUMP64,       /* a = pa */
  SCN_ACCESS,       /* a = va, access, priv, ac */
  SCN_INVLPG,       /* a = va */
  SCN_EXPECT_PA,    /* a = pa */
  SCN_EXPECT_FAULT, /* a = error code */
  SCN_EXPECT_HIT,
  SCN_EXPECT_MISS,
  SCN_EXPECT_MEM32,
  SCN_EXPECT_MEM64, /* a = pa, b = value */
  /* Timed commands (scenario-format.md, "Cycles"): a replay of a random run, cycle for cycle */
  SCN_FLUSH,            /* at CYCLE flush page VA|nonglobal|all: a = va, flush_kind; always
                            right after an access, during which it is given */
  SCN_ACK,              /* ack CYCLE: the handler's ack (timing.md T10) */
  SCN_POKE32,           /* poke CYCLE PA V: a = pa, b = value; a second memory master */
  SCN_POKE64,           /* poke64 CYCLE PA V */
  SCN_EXPECT_BUS_ERROR, /* expect bus-error PA: a = pa */
} scn_kind;

/* The named bits of `set`. */
typedef enum scn_bit {
  BIT_PG,
  BIT_WP,
  BIT_PSE,
  BIT_PAE,
  BIT_PGE,
  BIT_SMEP,
  BIT_SMAP,
  BIT_NXE
} scn_bit;

typedef struct scn_assign {
  scn_bit bit;
  bool value;
} scn_assign;

typedef struct scn_cmd {
  scn_kind kind;
  unsigned line;
  uint64_t a, b;
  pmmu_access access;
  pmmu_priv priv;
  bool ac;
  unsigned first, count;      /* SCN_SET */
  bool timed;                 /* `at CYCLE` given (always for flush, ack, poke) */
  uint64_t cycle;             /* that cycle */
  pmmu_flush_kind flush_kind; /* SCN_FLUSH */
} scn_cmd;

typedef struct scenario {
  char *path; /* as given; "-" is standard input */
  scn_cmd *cmds;
  unsigned n_cmds;
  scn_assign *sets;
  unsigned n_sets;
  unsigned n_expects;
  unsigned n_accesses;
  /* From `tlb` and `memory` (defaults otherwise). */
  unsigned tlb_sets, tlb_ways, tlb_large;
  pmmu_policy policy;
  pmem_timing timing;
} scenario;

/* The name printed in messages: the path, or "<stdin>". */
const char *scenario_display_name(const scenario *s);

/* Parses `text` (len bytes) named `path`. Every error goes to `err` as FILE:LINE: error: WHAT.
 * Returns the number of errors (0: the scenario can run). Free with scenario_free() either way. */
unsigned scenario_parse(const char *path, const char *text, size_t len, scenario *out, FILE *err);

/* Reads and parses a file ("-" for standard input). Returns the number of errors; a file that
 * cannot be read counts as one, reported as FILE: error: WHAT. */
unsigned scenario_load(const char *path, scenario *out, FILE *err);

void scenario_free(scenario *s);

/* The line of the first timed command (`at`, `flush`, `ack`, `poke`: scenario-format.md,
 * "Cycles"), or 0 when there is none: for runners that give every command in its default cycle
 * and refuse the others. */
unsigned scenario_first_timed_line(const scenario *s);

/* The register and bit that `set NAME=` writes. */
scn_kind scenario_bit_register(scn_bit bit);
uint64_t scenario_bit_mask(scn_bit bit);
const char *scenario_bit_name(scn_bit bit);

#endif
