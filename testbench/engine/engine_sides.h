/* The two halves an engine may hold, and what they share. Internal to testbench/engine. */
#ifndef PMMU_ENGINE_SIDES_H
#define PMMU_ENGINE_SIDES_H

#include "engine.h"
#include "txtrace.h"

/* The walker memory transactions of one request, in order. */
typedef struct txn_log {
  pmmu_mem_txn *v;
  unsigned n, cap;
} txn_log;

void txn_log_clear(txn_log *log);
void txn_log_push(txn_log *log, const pmmu_mem_txn *t);
void txn_log_free(txn_log *log);

/* A response (or PDPTE load) that never comes is a hang: the RTL half gives up and returns
 * TB_HANG with the cycle it gave up in. The limit follows the memory timing in force
 * (docs/verification.md, "Hangs"): the RTL has ENGINE_HANG_CYCLES cycles of its own per
 * operation, and every walk access adds the cycles the memory holds it (its back-pressure
 * and latency, as drawn: up to --wait 1000 and --latency 1000000 each), so that no latency or
 * back-pressure the memory may use makes a slow answer a hang; an operation that makes more
 * than ENGINE_HANG_ACCESSES walk accesses (a walk that restarts forever) is a hang too: a
 * legal one makes a few (7 for a walk that one failed compare-and-swap restarts). */
#define ENGINE_HANG_CYCLES 100000u
#define ENGINE_HANG_ACCESSES 256u

/* The RTL half (engine_rtl.c; only when the Verilated model is built). Its functions return
 * TB_OK, TB_HANG or TB_E_ORDER (the port was taken, a cycle went backwards). */
typedef struct rtl_side rtl_side;

rtl_side *rtl_side_create(const engine_setup *setup, const char *mutant, tb_error *err);
void rtl_side_destroy(rtl_side *r);
pmem_t *rtl_side_mem(rtl_side *r);
/* Drives one request (and the optional flush inside it) cycle by cycle until its response,
 * and the flush, are done. Records the memory transactions in `log`. */
int rtl_side_translate(rtl_side *r, const pmmu_request *req, engine_flush *flush,
                       pmmu_response *out, txn_log *log);
/* New control inputs from `cycle` on, with a flush command in that cycle (kind < 0: none). */
int rtl_side_control(rtl_side *r, const pmmu_control *ctl, int flush_kind, uint32_t la,
                     uint64_t cycle);
/* A register write that loads the PAE PDPTE registers (timing.md T11): the control inputs
 * `next` and the load command in `cycle`, run to the done cycle D (*done_cycle, with *gp for
 * #GP(0)); then, on #GP, the inputs go back to `old`, else the flush `flush_kind` (< 0: none)
 * is given in D. The load's memory transactions go to `log`. */
int rtl_side_load_pdptes(rtl_side *r, const pmmu_control *next, const pmmu_control *old,
                         int flush_kind, uint64_t cycle, uint64_t *done_cycle, bool *gp,
                         txn_log *log);
uint64_t rtl_side_ready_cycle(const rtl_side *r);
/* The #PF interrupt is visible from R + 1 (timing.md T10), a cycle the RTL reaches only when
 * the next operation starts: watch for it, and collect it when it has been seen (force: run
 * the RTL on to R + 1 now). */
void rtl_side_watch_interrupt(rtl_side *r, uint64_t response_cycle);
bool rtl_side_watched_interrupt(rtl_side *r, bool force, pmmu_interrupt_state *out);
/* ---- Per-cycle hooks: interrupt checks, acks and reset injection -------------------------
 * With a hook set, the interrupt outputs (pf_irq, pf_cr2, pf_ec) of every cycle the RTL
 * finishes are handed to it, so that lockstep compares them in every cycle (timing.md T10).
 * The hook returns the first cycle in which it must see them again even if they have not
 * changed (it would do nothing new before: its expectation holds until then); until that
 * cycle, or rtl_side_irq_recheck(), only a change of the outputs calls it. */
typedef uint64_t (*rtl_irq_hook)(void *ctx, uint64_t cycle, const pmmu_interrupt_state *rtl);
void rtl_side_set_irq_hook(rtl_side *r, rtl_irq_hook fn, void *ctx);
/* The hook's expectation may have changed: call it in the next cycle the RTL finishes. */
void rtl_side_irq_recheck(rtl_side *r);
/* pf_ack high in `cycle`: the cycle the RTL rests in or a later one, after any ack already
 * given (at most RTL_ACK_QUEUE waiting). TB_OK, TB_E_ORDER or TB_E_INVALID (queue full). */
#define RTL_ACK_QUEUE 16
int rtl_side_ack(rtl_side *r, uint64_t cycle);
/* The interrupt outputs in `cycle` (the cycle the RTL rests in or a later one: it runs on to
 * it). TB_OK or TB_E_ORDER. */
int rtl_side_interrupt(rtl_side *r, uint64_t cycle, pmmu_interrupt_state *out);
/* Reset (rst_ni low at the edge that ends `cycle`) inside the next operation: when the RTL
 * finishes that cycle it is reset (inputs back to their reset values, memory port idle,
 * cycles from 0) and the operation under way returns RTL_RESET, its response (or PDPTE load's
 * end) lost. rtl_side_take_reset says whether it happened and disarms it. */
#define RTL_RESET 100
void rtl_side_arm_reset(rtl_side *r, uint64_t cycle);
/* The next PDPTE load presents `req` in its cycle req->cycle, if the load still runs then
 * (T11: it is accepted in D); the rtl_side_translate of that request goes on with it. */
void rtl_side_arm_early(rtl_side *r, const pmmu_request *req);
bool rtl_side_take_reset(rtl_side *r);
/* Reset in `cycle` (at or after the cycle the RTL rests in), between operations. */
int rtl_side_reset(rtl_side *r, uint64_t cycle);
/* Assertion failures the RTL reported. */
int rtl_side_errors(const rtl_side *r);

/* ---- The trace of the RTL's ports (--dump-trace, docs/spec/transaction-trace.md) ----------
 * With a writer set, every cycle the RTL finishes is watched like a simulator's monitor would
 * watch it: requests when accepted, responses, walker memory transactions when answered, the
 * PDPTE load's end, the interrupt outputs when they change, acks. The testbench's own inputs
 * (register writes, INVLPG, memory writes) are written by engine.c in the cycle the RTL rests
 * in (rtl_side_sync first, so that every earlier cycle is written before them). */
void rtl_side_set_trace(rtl_side *r, txtrace_writer *w);
/* The cycle the RTL rests in (not finished yet). */
uint64_t rtl_side_cycle(const rtl_side *r);
/* Finishes the cycles before `cycle` (nothing when the RTL is there already). */
void rtl_side_sync(rtl_side *r, uint64_t cycle);
/* Watches the cycle the RTL rests in as if it ended now (the last one: nothing may follow)
 * and returns it: the trace's end. */
uint64_t rtl_side_trace_end(rtl_side *r);

/* The port log (engine_set_port_log): false when the block has run cycles already. The last
 * cycles are written when the side is destroyed. */
bool rtl_side_set_port_log(rtl_side *r, FILE *f);

#endif
