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
#include "tb_status.h"

typedef enum engine_kind { ENGINE_MODEL, ENGINE_RTL, ENGINE_BOTH } engine_kind;

/* "model", "rtl", "both". */
bool engine_kind_parse(const char *name, engine_kind *out);
const char *engine_kind_name(engine_kind k);

typedef enum engine_reg { REG_CR0, REG_CR3, REG_CR4, REG_EFER } engine_reg;

const char *engine_reg_name(engine_reg r); /* "cr0", "cr3", "cr4", "efer" */

typedef struct engine engine_t;
typedef struct engine_observer engine_observer;

typedef struct engine_setup {
  unsigned tlb_sets, tlb_ways, tlb_large;
  pmmu_policy policy;
  pmem_timing timing;
  /* Sees every operation's result (functional coverage: testbench/coverage); NULL: none.
   * It must outlive every engine made with it. */
  const engine_observer *observer;
} engine_setup;

/* NULL with the reason in *err (TB_E_UNAVAILABLE: no RTL, or no RTL variant of that
 * geometry was built; TB_E_CONFIG, TB_E_NOMEM) when the engine cannot be made. */
engine_t *engine_create(engine_kind kind, const engine_setup *setup, tb_error *err);
/* The same with the RTL built with one of its deliberate bugs (docs/rtl.md), to show that
 * the lockstep checker catches it. */
engine_t *engine_create_mutant(engine_kind kind, const engine_setup *setup, const char *mutant,
                               tb_error *err);
void engine_destroy(engine_t *e);

/* The last error an operation returned (code TB_OK before any). */
const tb_error *engine_error(const engine_t *e);

/* ---- Lockstep: differences as data ------------------------------------------------------
 *
 * Like Ibex's co-simulation (dv/cosim/cosim.h: step() fails, get_errors()/clear_errors()),
 * the lockstep engine prints nothing: an operation whose two halves differ returns
 * TB_MISMATCH (its result is the model's), one whose RTL never answers returns TB_HANG, and
 * what differed is kept as records until the caller clears them. The caller formats them
 * (engine_report.c: engine_report_mismatches, the one table every command prints). */

typedef enum engine_diff_op {
  ENGINE_DIFF_REQUEST,   /* a translation request (and the flush given during it) */
  ENGINE_DIFF_INTERRUPT, /* the #PF interrupt of a request, as it stands in R + 1 (T10), or
                            in the cycle irq_cycle (lockstep compares it in every cycle) */
  ENGINE_DIFF_PDPTE_LOAD /* the PDPTE load of a register write (T11) */
} engine_diff_op;

/* One field that differs. Records of one comparison share `report` and are contiguous. */
typedef struct engine_mismatch {
  uint64_t report; /* the comparison: 1, 2, ... over the engine's life */
  engine_diff_op op;
  bool hang;        /* the RTL never finished the request or load: model = the model's
                           response / done cycle (0 without a model), rtl = the cycle it gave
                           up in */
  uint64_t request; /* the request's index (1 = the first); requests and interrupts */
  pmmu_request req; /* the request (requests, interrupts, hangs of a request) */
  engine_reg reg;   /* PDPTE loads (and their hangs): the register write */
  uint64_t reg_value;
  uint64_t cycle;      /* the cycle the request was presented / the write was given in */
  uint64_t irq_cycle;  /* interrupts compared cycle by cycle: the first cycle that differed
                          (0: the R + 1 check of a request) */
  const char *field;   /* "outcome", "pa", "memory access", "response", ... */
  unsigned txn;        /* memory access fields: which access of the operation (1, 2, ...) */
  uint64_t model, rtl; /* the values of a scalar field */
  bool has_model_txn, has_rtl_txn; /* memory access fields: (none) when false */
  pmmu_mem_txn model_txn, rtl_txn;
} engine_mismatch;

/* Appends a record to a growing list (*v of *n, room for *cap): a copy of `proto` naming
 * `field`. NULL when memory runs out (the list is unchanged). engine_report.c; the engine and
 * pmmu check-trace keep their differences this way. */
engine_mismatch *engine_mismatch_append(engine_mismatch **v, size_t *n, size_t *cap,
                                        const engine_mismatch *proto, const char *field);
/* The records not cleared yet, oldest first (*n of them; NULL when none). */
const engine_mismatch *engine_mismatches(const engine_t *e, size_t *n);
void engine_clear_mismatches(engine_t *e);
/* Comparisons that differed (or hung) over the engine's life, cleared records included. */
uint64_t engine_mismatch_count(const engine_t *e);
/* Compares a #PF interrupt still pending from the last response (T10: the RTL runs on to
 * R + 1): at the end of a lockstep run, before engine_mismatch_count, or after each
 * operation by a caller that reports as it goes (sim). TB_MISMATCH when it differs. */
int engine_finish(engine_t *e);
/* Whether an operation's status leaves a response to go on with: TB_OK, or TB_MISMATCH (the
 * model's response; the differences wait in the records). Not a hang or an error. */
static inline bool engine_accepted(int status) { return status == TB_OK || status == TB_MISMATCH; }

/* engine_report.c. The records as tables, one per comparison ("lockstep mismatch at request
 * N (...):", a field / model / rtl row per difference), each followed by
 * "  reproduce: COMMAND" (waves/pmmu_waves.c reads this text). Values read by the field's
 * name: "outcome" as ok / #PF / bus error, "tlb" as hit / miss / off, a field with "cycle" in
 * its name in decimal, "#GP(0)" yes / no, "interrupt line" high / low, the rest in hex.
 * Returns the comparisons. */
size_t engine_report_mismatches(FILE *f, const engine_mismatch *m, size_t n, const char *repro);
/* The same, at most max_reports of the comparisons (the first ones). */
size_t engine_report_some(FILE *f, const engine_mismatch *m, size_t n, const char *repro,
                          size_t max_reports);
/* The same for the engine's records, which it then clears. */
size_t engine_report_pending(engine_t *e, FILE *f, const char *repro);
/* Only the first comparison of the engine's records (a run that stops at its first failure,
 * `pmmu cosim`); every record is cleared. */
size_t engine_report_first(engine_t *e, FILE *f, const char *repro);

/* Assertion failures reported by the RTL (0 without one). */
int engine_rtl_errors(const engine_t *e);

/* ---- Operations: TB_OK, TB_MISMATCH, TB_HANG, or an error (engine_error) ---------------- */

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
/* A request presented while the next register write's PDPTE load runs (timing.md T11: not
 * accepted before D): call this, then engine_write_reg (the load, req->cycle >= its cycle),
 * then engine_translate(req). The RTL sees req_valid from req->cycle inside the load; the
 * model accepts the request in max(req->cycle, D). Without a load in that cycle the request
 * is presented as usual. */
void engine_present_during_load(engine_t *e, const pmmu_request *req);
uint64_t engine_ready_cycle(const engine_t *e);

/* Memory as the testbench sees it, outside any walk: TB_OK, or TB_E_NOMEM (engine_error) when
 * the host has no memory for the page. Both halves of a lockstep are written. */
int engine_mem_write(engine_t *e, uint64_t pa, unsigned size, uint64_t value);
uint64_t engine_mem_read(const engine_t *e, uint64_t pa, unsigned size);
/* `n` 8-byte words from pa on (8-byte aligned), as n engine_mem_write/engine_mem_read of size
 * 8 at pa, pa + 8, ... (the same recorder calls and trace events when those are on), one copy
 * per page otherwise: whole pages of the OS of `pmmu sim`. */
int engine_mem_write_words(engine_t *e, uint64_t pa, const uint64_t *v, size_t n);
void engine_mem_read_words(const engine_t *e, uint64_t pa, uint64_t *v, size_t n);

/* A second memory master (issue 11; scenario `poke`, docs/spec/scenario-format.md): a write of
 * `size` bytes that lands at the end of `cycle` in both halves' memories, so that both see it
 * in the same cycle, in the middle of a walk too (between a read of an entry and its
 * compare-and-swap: the CAS then fails and the walk restarts, compared as any walk). Given
 * before the operation in whose cycles it lands; `cycle` must not be before the cycle the
 * memory took its latest walker access in. TB_OK, TB_E_ORDER or TB_E_NOMEM (engine_error). */
int engine_poke(engine_t *e, uint64_t cycle, uint64_t pa, unsigned size, uint64_t value);
/* Lands every poke still waiting (before the testbench reads memory between operations;
 * engine_mem_write does it itself). TB_OK or TB_E_NOMEM. */
int engine_land_pokes(engine_t *e);
/* Pokes given and not landed yet (in the model half's memory, or the RTL's without a model). */
uint64_t engine_pokes_waiting(const engine_t *e);

/* The control register as last written (successfully). */
uint64_t engine_read_reg(const engine_t *e, engine_reg reg);

/* ---- Injection: acks and resets (docs/verification.md, "Injection") ---------------------
 *
 * The handler's ack (pf_ack_i high in `cycle`, timing.md T10): the cycle the block rests in or
 * a later one, after the last ack; it may fall inside the next request's walk. The model
 * follows it cycle by cycle (pmmu_ack_interrupt_at) and lockstep compares the interrupt
 * outputs in every cycle. TB_OK or TB_E_ORDER; TB_E_UNAVAILABLE for the model alone with a
 * transaction trace (its trace does not record acks). */
int engine_ack(engine_t *e, uint64_t cycle);
uint64_t engine_acks(const engine_t *e); /* acks given */
/* The interrupt line, CR2 and error code as they stand in `cycle` (the model's prediction, which
 * lockstep compares with the RTL's outputs in every cycle; the RTL's outputs for rtl, which
 * runs on to `cycle`: it must not be before the cycle the RTL rests in). What a handler reads. */
int engine_interrupt(engine_t *e, uint64_t cycle, pmmu_interrupt_state *out);

/* Reset (rst_ni low at the edge that ends `cycle`), between operations: both halves go back to
 * their reset state (TLB empty, control registers at CR0 = PG and 0, interrupt latch cleared,
 * nothing in flight), cycles count from 0 again, memory keeps its contents and its timing
 * stream restarts from its seed. The caller writes the control registers again. Not with a
 * transaction trace or a recorder (TB_E_UNAVAILABLE). TB_MISMATCH when the interrupt outputs
 * differed in the cycles up to the reset. */
int engine_reset(engine_t *e, uint64_t cycle);
/* A request, or a register write, with reset in `reset_cycle` (at or after the cycle it is
 * presented / given in): when the reset comes before the response (or the PDPTE load's end),
 * *lost is true: the walk stops there (the memory accesses both halves answered by then are
 * compared; the model's compare-and-swaps the memory would have taken later are undone) and
 * *out is the model's response as it would have been. Otherwise it is compared as usual and
 * the reset follows (engine_reset). */
int engine_translate_reset(engine_t *e, const pmmu_request *req, uint64_t reset_cycle,
                           pmmu_response *out, bool *lost);
int engine_write_reg_reset(engine_t *e, engine_reg reg, uint64_t value, uint64_t cycle,
                           uint64_t reset_cycle, pmmu_reg_result *out, bool *lost);
uint64_t engine_resets(const engine_t *e); /* resets done */

/* Every half's memory answers its `index`-th walker request from now on (0 = the next one)
 * with a bus error. */
void engine_inject_bus_error(engine_t *e, uint64_t index);

/* ---- Transaction traces (--dump-trace; docs/spec/transaction-trace.md) -------------------
 *
 * The trace of what the engine ran: for rtl and both, what the RTL did, read from its ports
 * cycle by cycle (a monitor, so that it shows an RTL bug); for model, the model's results (a
 * golden trace). `pmmu check-trace` replays either on the model. */

/* Starts the trace, written to PATH.tmp-XXXXXX beside PATH; `command` (NULL: none) goes to the
 * header. Before the first operation. TB_OK, or TB_E_IO / TB_E_NOMEM (engine_error). */
int engine_trace_open(engine_t *e, const char *path, const char *command);
/* Ends it: the end event, then the file is renamed to PATH (keep), or removed (!keep: a run
 * that could not be completed). TB_OK or TB_E_IO (engine_error; no file is left). A trace
 * still open at engine_destroy is removed. */
int engine_trace_close(engine_t *e, bool keep);

/* ---- The port log (rtl/tests/icarus: the same run replayed on another simulator) ------------
 *
 * For rtl and both: every input and output of pmmu_top in every cycle, one line per cycle from
 * the reset on (rtl/tests/icarus/README.md gives the format), written to `f` as the RTL half
 * runs and finished when the engine is destroyed. The caller owns `f` and checks its writes
 * (ferror, fclose). Before the first operation: TB_OK, TB_E_ORDER (too late) or
 * TB_E_UNAVAILABLE (no RTL half); engine_error says why. */
int engine_set_port_log(engine_t *e, FILE *f);

/* ---- Recording the stimulus ------------------------------------------------------------
 *
 * A recorder sees every operation as the RTL half would be driven with it (the same calls as
 * engine_sides.h's rtl_side_*, in the same order), also on an engine without an RTL half:
 * model/dpi/tests records a scenario or a cosim stream on the model alone and replays it on
 * the RTL inside a SystemVerilog testbench. Cycles are the model's, as in a lockstep run. */
typedef struct engine_recorder {
  /* Once, when installed: the engine's geometry and memory timing. */
  void (*setup)(void *ctx, const engine_setup *setup);
  /* A request presented in req->cycle, with the flush given during it (NULL: none). */
  void (*translate)(void *ctx, const pmmu_request *req, const engine_flush *flush);
  /* New control inputs from `cycle` on, with a flush command in that cycle (kind < 0: none). */
  void (*control)(void *ctx, const pmmu_control *ctl, int flush_kind, uint32_t la, uint64_t cycle);
  /* A PDPTE load (timing.md T11): inputs `next` and the load command in `cycle`; in its done
   * cycle the inputs go back to `old` on #GP, else the flush `flush_kind` (< 0: none). */
  void (*load_pdptes)(void *ctx, const pmmu_control *next, const pmmu_control *old, int flush_kind,
                      uint64_t cycle);
  void (*mem_write)(void *ctx, uint64_t pa, unsigned size, uint64_t value);
  void (*bus_error)(void *ctx, uint64_t index); /* engine_inject_bus_error */
  /* Once, when the engine is destroyed: the model's statistics (not called without one). */
  void (*done)(void *ctx, const pmmu_stats *model);
  void *ctx;
} engine_recorder;

/* Installs (NULL: removes) the recorder; the engine keeps a copy. */
void engine_set_recorder(engine_t *e, const engine_recorder *rec);

/* ---- The model's results, per request (waves: the model group of a dump) ------------------
 *
 * A process-wide watcher, called in a lockstep run (both) after the model answered each
 * request, with its response and the walk's memory accesses (in the order issued; their
 * cycles are the lockstep's), before the RTL half runs it. The waves of `pmmu run|cosim|sim`
 * write them into the RTL's dump beside its ports (docs/waves.md, "The model group"). NULL
 * removes it. */
typedef void (*engine_model_tap)(void *ctx, const pmmu_request *req, const pmmu_response *resp,
                                 const pmmu_mem_txn *txns, unsigned n);
void engine_set_model_tap(engine_model_tap fn, void *ctx);

/* ---- Observing results (functional coverage, testbench/coverage/coverage.h) --------------
 *
 * Unlike a recorder, which sees the stimulus, an observer sees what every operation gave: the
 * response and the walk's memory transactions of a request, the result and the PDPTE load of
 * a register write, with the control state in force. Lockstep reports the model's results (the
 * RTL's are compared with them), rtl the RTL's: the same fields in every engine mode. An
 * operation that ended in an error, a hang or a reset is not reported. */
typedef enum engine_event_kind {
  ENGINE_EV_TRANSLATE, /* req, flush, resp, txns */
  ENGINE_EV_REG_WRITE, /* reg, value, res, flush_kind, txns (a PDPTE load's reads) */
  ENGINE_EV_INVLPG     /* la, cycle */
} engine_event_kind;

typedef struct engine_event {
  engine_event_kind kind;
  pmmu_control ctl; /* the control state in force (a register write: before it) */
  const pmmu_request *req;
  const engine_flush *flush; /* the flush given during the request; NULL: none */
  const pmmu_response *resp;
  const pmmu_mem_txn *txns; /* the walk's (or the PDPTE load's) memory transactions, in order */
  unsigned ntxns;
  engine_reg reg;
  uint64_t value;
  const pmmu_reg_result *res;
  int flush_kind; /* the register write's invalidation on the flush port (< 0: none) */
  uint32_t la;    /* INVLPG */
  uint64_t cycle; /* INVLPG, register write: the cycle given */
} engine_event;

struct engine_observer {
  /* Once per engine, when it is made. Optional. */
  void (*created)(void *ctx, engine_kind kind, const engine_setup *setup);
  /* Before a request goes to the engine (its model's state may be read: engine_model).
   * Optional. */
  void (*before)(void *ctx, engine_t *e, const pmmu_request *req);
  void (*event)(void *ctx, engine_t *e, const engine_event *ev);
  void *ctx;
};

/* The model inside the engine, for debug translation and statistics (NULL for rtl). */
pmmu_t *engine_model(engine_t *e);

#endif
