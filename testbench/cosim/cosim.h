/*
 * `pmmu cosim`: random page tables and random request streams driven through an engine
 * (the model alone, the RTL alone, or both in lockstep), with a summary at the end.
 *
 * The world: a few page directories (address spaces, switched by CR3 writes) sharing page
 * tables; PDEs and PTEs with random flags (U/S, R/W, A, D, G, PAT, PWT, PCD, ignored bits),
 * 4 MiB pages with PSE-36 bits, reserved bits now and then, and a self-mapping PDE in every
 * directory. The same for PAE (x86-paging.md section 4): PDPTs (now and then a not-present
 * PDPTE or one with a reserved bit, whose load is a #GP), directories and tables of 8-byte
 * entries with XD, 2 MiB pages, reserved bits 62:36 / 20:13 / 63, a self-map. Odd seeds start
 * in 32-bit paging, even seeds in PAE with NXE; control writes switch between the two, toggle
 * EFER.NXE and reload the PDPTEs (CR3 and the CR4 bits that reload them). The stream: accesses of every kind and privilege with random spacing, clustered on
 * a working set so that the TLB hits and evicts; flush commands during walks; control-register
 * toggles; page-table edits, usually followed by an INVLPG.
 *
 * Every access is also checked against the model's side-effect-free debug translation of
 * the same state whenever the TLB is known to be coherent with memory (no page-table edit
 * since the last full flush): the result of an access must not depend on the TLB.
 */
#ifndef PMMU_COSIM_H
#define PMMU_COSIM_H

#include <stdint.h>
#include <stdio.h>

#include "engine.h"

typedef struct cosim_options {
  uint64_t seed;
  uint64_t accesses;
  engine_kind engine;
  engine_setup setup;     /* TLB geometry and memory timing (timing.seed is derived from seed) */
  unsigned max_gap;       /* cycles between a response and the next request: 0..max_gap */
  bool quiet;             /* no per-seed summary: failures and the totals (for seed sweeps) */
  bool trace;             /* one line per operation on the output */
  const char *mutant;     /* run the RTL built with this deliberate bug (docs/rtl.md) */
  const char *dump_trace; /* write the run's transaction trace here (engine.h), or NULL */
  const engine_recorder *recorder; /* sees the run's stimulus (engine_set_recorder); NULL */
  /* The interrupt handler's acks: after this percentage of responses (0..100), at a random
   * cycle (the response cycle, the one after, or inside the next walk), drawn from a stream of
   * their own so that the run's stimulus and cycles do not change. COSIM_ACKS_DEFAULT: 30 in
   * every fourth seed (seed % 4 == 3), none in the others. */
  unsigned ack_percent;
  /* Reset injection: this many requests in 1000 (0: none, the default) get a reset in a random
   * cycle from their presentation to a few cycles after their response; the world then boots
   * again (its control-register writes in cycles 0-2) and the run goes on. Not with a
   * transaction trace or a recorder. */
  unsigned reset_permille;
  FILE *port_log; /* every port of the RTL in every cycle (engine_set_port_log), or NULL */
  /* --export: the run written as a scenario (docs/spec/scenario-format.md, "Cycles") that
   * `pmmu run --engine both` replays cycle for cycle: the world's memory, every register
   * write, access, flush, INVLPG, page-table edit and ack in its cycle, with `expect` lines
   * from the engine's responses. Written beside the path and renamed when the run ends (also
   * when it failed: a failing seed becomes a directed test). Not with resets. NULL: none. */
  const char *export_path;
  /* The second memory master (issue 11; engine_poke): this many requests in 1000 (0: none, the
   * default) get a write by another agent to one of the entries their walk reads (as memory
   * holds them before the request), in a random cycle from the lookup on, so that it often
   * lands between the walk's read of the entry and its compare-and-swap: any bit, the low or
   * the high half of a PAE entry. Drawn from a stream of their own. */
  unsigned poke_permille;
} cosim_options;

#define COSIM_ACKS_DEFAULT 101u

void cosim_options_init(cosim_options *o);

typedef struct cosim_result {
  uint64_t requests, hits, walks, off;
  uint64_t faults_np, faults_rsvd, faults_prot, bus_errors;
  uint64_t flushes_in_flight, edits, control_writes, gp_faults;
  uint64_t pae_requests, pdpte_loads; /* requests made in PAE paging; PDPTE loads done */
  uint64_t self_checks, self_check_failures;
  uint64_t acks;                     /* interrupt acks given */
  uint64_t pokes, cas_restarts;      /* second-master writes; walks a failed CAS restarted */
  uint64_t resets, resets_in_flight; /* resets injected; those that cut a request short */
  uint64_t mismatches;               /* lockstep disagreements (engine both) */
  uint64_t rtl_errors;               /* RTL assertion failures */
  uint64_t cycles;
  double seconds;
  bool stopped; /* cut short by the budget or a stop signal (tb_budget.h) */
} cosim_result;

/* Runs one seed. Returns TB_OK if nothing disagreed, TB_MISMATCH if anything did (lockstep
 * differences, a hang, the TLB-independence check, a refused operation), or a negative status
 * with *err filled when the engine could not be made. The run stops at its first failure,
 * described on `out` once (one mismatch table, or one "cosim: ..." line) with the command
 * that reproduces the run. */
int cosim_run(const cosim_options *o, FILE *out, cosim_result *res, tb_error *err);

void cosim_print_summary(const cosim_options *o, const cosim_result *r, FILE *out);

/* The command line that reproduces this run. */
void cosim_command(const cosim_options *o, char *buf, size_t len);

#endif
