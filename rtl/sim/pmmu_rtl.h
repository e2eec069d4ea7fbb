/*
 * pmmu_rtl.h: C interface to the Verilated PMMU RTL (rtl/pmmu_top.sv).
 *
 * One opaque handle per simulated block. A handle is created for a TLB geometry and
 * replacement policy, chosen among the variants compiled into the library (see
 * PMMU_RTL_VARIANTS in rtl/CMakeLists.txt), or for a mutant name (PMMU_BUILD_MUTANTS).
 *
 * Cycle-level access, with the handshakes driven by the caller:
 *
 *     pmmu_rtl_reset(h);                    // cycle counter is 0 afterwards
 *     for (;;) {
 *         in.req_valid = ...;               // inputs of the current cycle
 *         pmmu_rtl_eval(h, &in, &out);      // settle: outputs of the current cycle
 *         ... look at out.req_ready, out.resp_valid, out.mem_req_valid ...
 *         pmmu_rtl_tick(h);                 // rising edge: the cycle ends
 *     }
 *
 * A cycle c (docs/timing.md) is the period between pmmu_rtl_tick() calls number c and
 * c + 1 after reset; pmmu_rtl_cycle() returns c. The block's outputs never depend on
 * req_valid, mem_req_ready's effect is only sampled at the edge, and the memory port's
 * mem_req_* outputs do not depend on mem_req_ready, so one eval per cycle suffices. The shim
 * evaluates the model only when an output could change: an untraced cycle costs one model
 * evaluation (the rising edge), plus one with the cycle's inputs in a cycle where the control
 * or flush inputs changed (outputs depend on them) or the request or the ack changed (the
 * assertions sample signals that depend on them), whatever is called; none for an idle edge
 * (no input changed and the previous edge left the model's state unchanged: docs/rtl.md
 * "Idle edges"). clk_i stays high between edges (docs/rtl.md, "Simulation speed"); a traced
 * block evaluates clk_i low in every
 * cycle (two evaluations), so that the dump shows the clock, and so does every block when the
 * environment variable PMMU_RTL_CLOCK_LOW is set (the previous scheme, for comparisons).
 *
 * Encodings: the PMMU_RTL_* constants of pmmu_rtl_pkg.h, generated from rtl/pmmu_pkg.sv.
 */
#ifndef PMMU_RTL_H
#define PMMU_RTL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The encodings of every port field (access kind PMMU_RTL_ACC_*, privilege PMMU_RTL_PRIV_*,
 * resp_tlb PMMU_RTL_TLB_*, flush_kind PMMU_RTL_FLUSH_* including PMMU_RTL_FLUSH_LOAD_PDPTE,
 * mem_req_op PMMU_RTL_MEM_READ/CAS, ...) and the package's integer parameters
 * (PMMU_RTL_PKG_*): generated from rtl/pmmu_pkg.sv at build time (rtl/sim/gen_pkg_h.cmake). */
#include "pmmu_rtl_pkg.h"

/* #PF error code bits (resp_ec, pf_ec) */
#define PMMU_RTL_EC_P (1u << PMMU_RTL_PKG_EC_P)
#define PMMU_RTL_EC_WR (1u << PMMU_RTL_PKG_EC_WR)
#define PMMU_RTL_EC_US (1u << PMMU_RTL_PKG_EC_US)
#define PMMU_RTL_EC_RSVD (1u << PMMU_RTL_PKG_EC_RSVD)
#define PMMU_RTL_EC_ID (1u << PMMU_RTL_PKG_EC_ID)

/* the POLICY parameter */
typedef enum pmmu_rtl_policy {
  PMMU_RTL_PLRU = PMMU_RTL_PKG_POL_PLRU,
  PMMU_RTL_LRU = PMMU_RTL_PKG_POL_LRU,
  PMMU_RTL_FIFO = PMMU_RTL_PKG_POL_FIFO,
  PMMU_RTL_RANDOM = PMMU_RTL_PKG_POL_RANDOM
} pmmu_rtl_policy_t;

/* All inputs of pmmu_top (clock and reset excepted). Booleans are 0/1. */
typedef struct pmmu_rtl_in {
  /* control state */
  uint8_t cr0_pg, cr0_wp;
  uint32_t cr3;
  uint8_t cr4_pse, cr4_pae, cr4_pge, cr4_smep, cr4_smap, efer_nxe;
  /* translation request */
  uint8_t req_valid;
  uint32_t req_la;
  uint8_t req_acc;  /* PMMU_RTL_ACC_* */
  uint8_t req_priv; /* PMMU_RTL_PRIV_* */
  uint8_t req_ac;   /* EFLAGS.AC */
  /* walk memory port */
  uint8_t mem_req_ready;
  uint8_t mem_resp_valid;
  uint64_t mem_resp_data; /* for a 4-byte access only bits 31:0 are used */
  uint8_t mem_resp_err;
  /* flush command */
  uint8_t flush_valid;
  uint8_t flush_kind; /* PMMU_RTL_FLUSH_* */
  uint32_t flush_la;
  /* page-fault interrupt acknowledge */
  uint8_t pf_ack;
} pmmu_rtl_in_t;

/* All outputs of pmmu_top. */
typedef struct pmmu_rtl_out {
  /* translation port */
  uint8_t req_ready;
  uint8_t resp_valid;
  uint64_t resp_pa;   /* PA[35:0] */
  uint8_t resp_fault; /* #PF */
  uint8_t resp_ec;    /* #PF error code, PMMU_RTL_EC_* */
  uint8_t resp_bus_err;
  uint8_t resp_tlb; /* PMMU_RTL_TLB_* */
  uint8_t resp_pwt, resp_pcd, resp_pat;
  /* walk memory port */
  uint8_t mem_req_valid;
  uint64_t mem_req_pa;  /* PA[35:0] */
  uint8_t mem_req_size; /* bytes: 4 or 8 */
  uint8_t mem_req_op;   /* PMMU_RTL_MEM_* */
  uint64_t mem_req_expected, mem_req_new;
  /* page-fault interrupt */
  uint8_t pf_irq;
  uint32_t pf_cr2;
  uint8_t pf_ec;
  /* PDPTE load command (flush_kind PMMU_RTL_FLUSH_LOAD_PDPTE): done in cycle D, with #GP(0) */
  uint8_t pdpte_done, pdpte_gp;
} pmmu_rtl_out_t;

typedef struct pmmu_rtl pmmu_rtl_t;

/* Description of one compiled variant. */
typedef struct pmmu_rtl_variant {
  const char *name; /* e.g. "16x4x8_plru", "mut_us_or" */
  unsigned sets, ways, large;
  pmmu_rtl_policy_t policy;
  const char *mutant; /* NULL, or the mutant's name without PMMU_MUTANT_ ("US_OR") */
} pmmu_rtl_variant_t;

/* The compiled variants: count, and the i-th (NULL when out of range). */
unsigned pmmu_rtl_variant_count(void);
const pmmu_rtl_variant_t *pmmu_rtl_variant(unsigned i);

/* "plru", "lru", "fifo", "random" -> policy; -1 when unknown. */
int pmmu_rtl_policy_from_name(const char *name);
const char *pmmu_rtl_policy_name(pmmu_rtl_policy_t p);

/* Create a block for a geometry and policy (a non-mutant variant). Returns NULL, with a
 * message on stderr listing the compiled variants, when none matches. The block is
 * reset (pmmu_rtl_reset) before it is returned. */
pmmu_rtl_t *pmmu_rtl_new(unsigned sets, unsigned ways, unsigned large, pmmu_rtl_policy_t policy);

/* Create a block of a mutant build (default geometry), by name: "US_OR" or
 * "PMMU_MUTANT_US_OR" (case-insensitive). NULL with a message when not compiled. */
pmmu_rtl_t *pmmu_rtl_new_mutant(const char *name);

void pmmu_rtl_free(pmmu_rtl_t *h);

/* The variant this block was built from. */
const pmmu_rtl_variant_t *pmmu_rtl_info(const pmmu_rtl_t *h);

/* Synchronous reset: rst_ni low for `cycles` (at least 1) rising edges with the current
 * inputs, then high. Afterwards the TLB is empty and pmmu_rtl_cycle() is 0. */
void pmmu_rtl_reset(pmmu_rtl_t *h, unsigned cycles);

/* Apply `in` (NULL: keep the previous inputs), settle the combinational logic and copy
 * the outputs of the current cycle to `out` (may be NULL). */
void pmmu_rtl_eval(pmmu_rtl_t *h, const pmmu_rtl_in_t *in, pmmu_rtl_out_t *out);

/* The same, without the copy: the outputs of the current cycle in the block's own copy, read
 * from the model once per evaluation. Valid until the next pmmu_rtl_outputs() or
 * pmmu_rtl_eval() on this block (a tick in between does not change it). */
const pmmu_rtl_out_t *pmmu_rtl_outputs(pmmu_rtl_t *h, const pmmu_rtl_in_t *in);

/* Take `in` as the inputs of the current cycle without evaluating: for inputs that no output
 * depends on combinationally (the request, mem_req_ready, mem_resp_*, pf_ack), which the next
 * pmmu_rtl_tick() applies. Changing other inputs this way is allowed too: the next
 * pmmu_rtl_eval() or pmmu_rtl_tick() evaluates them. */
void pmmu_rtl_set_inputs(pmmu_rtl_t *h, const pmmu_rtl_in_t *in);

/* The memory port's inputs of the current cycle (mem_req_ready, mem_resp_valid, mem_resp_data,
 * mem_resp_err), as pmmu_rtl_set_inputs() with only those fields changed would take them, but
 * written straight into the model's ports: the per-cycle path of a driver that answers the
 * walker's memory port (testbench/engine/engine_rtl.c). No evaluation (no output depends on
 * them). */
void pmmu_rtl_set_mem(pmmu_rtl_t *h, uint8_t req_ready, uint8_t resp_valid, uint64_t resp_data,
                      uint8_t resp_err);

/* One rising clock edge with the current inputs: the current cycle ends. */
void pmmu_rtl_tick(pmmu_rtl_t *h);

/* Cycle number since the end of reset. */
uint64_t pmmu_rtl_cycle(const pmmu_rtl_t *h);

/* Number of RTL assertion failures so far (assertions print "%Error: ..." on stdout and
 * do not abort the process). */
int pmmu_rtl_errors(const pmmu_rtl_t *h);

/* FST waveform: open (0 on success, -1 when the library was built without tracing, the
 * block was made of an untraced model, or the file cannot be opened) and close (flushes; no-op
 * when not open). One time unit is 1 ns, a cycle is 10 ns; after reset, cycle c starts at
 * 10*(c + 2) ns with its rising edge, one dump per cycle (docs/waves.md "Time base").
 * A block made while no waves session is set (pmmu_rtl_waves_auto below) is made of its
 * variant's untraced model where the library has one (the default geometry: tracing compiled
 * in slows a model even with no dump open), and cannot be dumped: to dump a block opened
 * by hand, set a session before creating it. */
int pmmu_rtl_trace_open(pmmu_rtl_t *h, const char *path);
/* 1 when the models were compiled with FST tracing (CMake option PMMU_RTL_TRACE, ON), else 0:
 * then every trace and waves call fails with a message. */
int pmmu_rtl_trace_available(void);
void pmmu_rtl_trace_close(pmmu_rtl_t *h);

/* ---- Waveform sessions (waves/, docs/waves.md) -------------------------------------------
 * Process-wide automatic dumps, so that a command can trace the RTL of engines it does not
 * hold a handle of: every block created after pmmu_rtl_waves_auto(path, from, to) (path
 * non-NULL) dumps its cycles from..to (inclusive; to = UINT64_MAX: to the end) to `path`.
 * The file is opened when cycle `from` begins (nothing is traced before: no cost) and
 * closed after cycle `to`, when the block is freed, by pmmu_rtl_trace_close_all(), or at
 * exit(). This library installs no signal handler: a program that wants its dumps to survive
 * a signal catches it with a handler that only sets a flag, ends its run loop when it sees
 * the flag, and closes the dumps then (pmmu does: testbench/common/tb_budget.h).
 * pmmu_rtl_waves_auto(NULL, 0, 0) turns it off. */
void pmmu_rtl_waves_auto(const char *path, uint64_t from, uint64_t to);
/* Called after any dump file is closed (by any of the paths above), with its path. */
void pmmu_rtl_waves_on_close(void (*fn)(const char *path, void *ctx), void *ctx);
/* Closes every open dump now (not from a signal handler). */
void pmmu_rtl_trace_close_all(void);
/* Every open dump is flushed to its file every `every` cycles (0: only when closed), so that
 * a process killed outright (SIGKILL) leaves its value changes up to the last flush on disk.
 * An FST gets its hierarchy only when it is closed, so such a file is not readable as it is;
 * docs/waves.md says what it keeps. */
void pmmu_rtl_waves_flush(uint64_t every);
/* Opens `path` with the FST reader: 0 when it is a complete FST file (its last time in
 * *end_time, may be NULL), -1 when it cannot be read (missing, truncated, never closed). */
int pmmu_rtl_fst_check(const char *path, uint64_t *end_time);
/* The most recently created block (still alive or not): its current cycle, the cycle in which
 * it last accepted a request (req_valid & req_ready at the edge; UINT64_MAX: none yet), and
 * the dump time (ns) at which a cycle begins (its rising edge is 5 ns later). */
uint64_t pmmu_rtl_last_cycle(void);
uint64_t pmmu_rtl_last_accept(void);
uint64_t pmmu_rtl_cycle_time(uint64_t cycle);

#ifdef __cplusplus
}
#endif

#endif /* PMMU_RTL_H */
