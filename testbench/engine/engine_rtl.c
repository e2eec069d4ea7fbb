/*
 * The RTL half of an engine: drives the Verilated pmmu_top cycle by cycle through the C API
 * of rtl/sim/pmmu_rtl.h, playing the CPU on the translation port and the physical
 * memory (pmem, with its seeded back-pressure and latency) on the walk memory port.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine_sides.h"
#include "pmmu_rtl.h"

/* The memory port's request in flight. */
typedef struct mem_port {
  bool busy;        /* a request was seen and is not answered yet */
  pmmu_mem_txn txn; /* present/accept/response cycles drawn when it was seen */
  bool err;
} mem_port;

struct rtl_side {
  pmmu_rtl_t *h;
  pmem_t *mem;
  pmmu_rtl_in_t in;
  mem_port port;
  uint64_t port_txns;    /* walker accesses the port has taken (pmem_requests of r->mem) */
  uint64_t served_cycle; /* the memory port was answered for this cycle */
  uint64_t ready_cycle;  /* the cycle of the last response */
  uint64_t irq_watch;    /* the response cycle of a #PF whose interrupt is to be seen */
  bool irq_watch_done;
  pmmu_interrupt_state irq_seen;
  /* The monitor of the ports (--dump-trace) */
  txtrace_writer *trace;
  bool mon_req; /* req_valid was high since the last acceptance */
  uint64_t mon_req_present;
  bool mon_mem; /* a memory request was presented and not answered */
  pmmu_mem_txn mon_txn;
  pmmu_interrupt_state mon_irq; /* the interrupt outputs as last written */
  /* Injection (engine_sides.h, "Per-cycle hooks"): acks to give, a reset to assert */
  rtl_irq_hook irq_hook;         /* sees the interrupt outputs of every finished cycle */
  uint64_t irq_next;             /* ... unchanged ones from this cycle on (the hook's answer) */
  pmmu_interrupt_state irq_last; /* the outputs last handed to it */
  void *irq_ctx;
  uint64_t acks[RTL_ACK_QUEUE]; /* cycles of the acks to give, in order */
  unsigned ack_head, n_acks;
  uint64_t reset_at; /* rst_ni low in this cycle (UINT64_MAX: none) */
  bool reset_done;   /* the reset happened; the operation under way stopped there */
  FILE *ports;       /* the port log (rtl_side_set_port_log), or NULL */
  /* A request presented while a PDPTE load runs (rtl_side_arm_early): req_valid rises in its
   * cycle inside the load, and rtl_side_translate goes on with it already presented. */
  pmmu_request early;
  bool early_armed, early_presented;
};

static int policy_of(pmmu_policy p) {
  switch (p) {
  case PMMU_POLICY_PLRU: return PMMU_RTL_PLRU;
  case PMMU_POLICY_LRU: return PMMU_RTL_LRU;
  case PMMU_POLICY_FIFO: return PMMU_RTL_FIFO;
  case PMMU_POLICY_RANDOM: return PMMU_RTL_RANDOM;
  }
  return PMMU_RTL_PLRU;
}

static void set_control(pmmu_rtl_in_t *in, const pmmu_control *c) {
  in->cr0_pg = (c->cr0 & PMMU_CR0_PG) != 0;
  in->cr0_wp = (c->cr0 & PMMU_CR0_WP) != 0;
  in->cr3 = c->cr3;
  in->cr4_pse = (c->cr4 & PMMU_CR4_PSE) != 0;
  in->cr4_pae = (c->cr4 & PMMU_CR4_PAE) != 0;
  in->cr4_pge = (c->cr4 & PMMU_CR4_PGE) != 0;
  in->cr4_smep = (c->cr4 & PMMU_CR4_SMEP) != 0;
  in->cr4_smap = (c->cr4 & PMMU_CR4_SMAP) != 0;
  in->efer_nxe = (c->efer & PMMU_EFER_NXE) != 0;
}

static void port_log_end(rtl_side *r);

rtl_side *rtl_side_create(const engine_setup *setup, const char *mutant, tb_error *err) {
  rtl_side *r = calloc(1, sizeof *r);
  if (!r || !(r->mem = pmem_create())) {
    free(r);
    tb_fail(err, TB_E_NOMEM, "out of memory");
    return NULL;
  }
  r->h = mutant ? pmmu_rtl_new_mutant(mutant)
                : pmmu_rtl_new(setup->tlb_sets, setup->tlb_ways, setup->tlb_large,
                               (pmmu_rtl_policy_t)policy_of(setup->policy));
  if (!r->h && mutant) { /* an unknown name lists the valid ones */
    char names[160] = "";
    size_t used = 0;
    for (unsigned i = 0; i < pmmu_rtl_variant_count() && used < sizeof names; i++) {
      const pmmu_rtl_variant_t *v = pmmu_rtl_variant(i);
      if (v && v->mutant)
        used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "",
                                 v->mutant);
    }
    if (used >= sizeof names) memcpy(names + sizeof names - 4, "...", 4);
    tb_fail(err, TB_E_UNAVAILABLE, "no mutant '%s' was built (%s; docs/rtl.md)", mutant,
            used ? names : "none: configure with -DPMMU_BUILD_MUTANTS=ON");
    rtl_side_destroy(r);
    return NULL;
  }
  /* A mutant is built in one geometry: with another, the model and the RTL would differ in
   * their TLBs and every difference would be a false catch (a direct-mapped scenario "caught"
   * every mutant) */
  for (unsigned i = 0; r->h && mutant && i < pmmu_rtl_variant_count(); i++) {
    const pmmu_rtl_variant_t *v = pmmu_rtl_variant(i);
    if (!v || !v->mutant || strcmp(v->mutant, mutant) != 0) continue;
    if (v->sets != setup->tlb_sets || v->ways != setup->tlb_ways || v->large != setup->tlb_large ||
        v->policy != (pmmu_rtl_policy_t)policy_of(setup->policy)) {
      tb_fail(err, TB_E_UNAVAILABLE,
              "mutant '%s' is built only with sets=%u ways=%u large=%u policy=%s, not sets=%u "
              "ways=%u large=%u policy=%s (docs/rtl.md)",
              mutant, v->sets, v->ways, v->large, pmmu_rtl_policy_name(v->policy), setup->tlb_sets,
              setup->tlb_ways, setup->tlb_large, pmmu_policy_name(setup->policy));
      rtl_side_destroy(r);
      return NULL;
    }
  }
  if (!r->h) {
    tb_fail(err, TB_E_UNAVAILABLE, "no RTL variant was built for %s",
            "this TLB geometry and policy (see rtl/CMakeLists.txt)");
    rtl_side_destroy(r);
    return NULL;
  }
  pmem_set_timing(r->mem, &setup->timing);
  r->served_cycle = UINT64_MAX;
  r->irq_watch = UINT64_MAX;
  r->reset_at = UINT64_MAX;
  pmmu_control reset = {.cr0 = PMMU_CR0_PG};
  set_control(&r->in, &reset);
  pmmu_rtl_eval(r->h, &r->in, NULL);
  return r;
}

void rtl_side_destroy(rtl_side *r) {
  if (!r) return;
  /* the port log's last cycles come after the run: no one compares them (the model side may
   * be gone already) */
  r->irq_hook = NULL;
  port_log_end(r);
  if (r->h) pmmu_rtl_free(r->h);
  pmem_destroy(r->mem);
  free(r);
}

pmem_t *rtl_side_mem(rtl_side *r) { return r->mem; }
uint64_t rtl_side_ready_cycle(const rtl_side *r) { return r->ready_cycle; }
int rtl_side_errors(const rtl_side *r) { return pmmu_rtl_errors(r->h); }

/* ---- Cycles ----------------------------------------------------------------------------
 *
 * The block rests *in* a cycle that is not ticked yet: pmmu_rtl_cycle() is the cycle whose
 * inputs r->in holds. An operation for that same cycle (a request presented in the cycle of
 * the previous response, a flush in the cycle of a fill) merges its inputs into it; an
 * operation for a later cycle first finishes the cycles in between.
 */

/* Before the edge: decide mem_req_ready and mem_resp_* for this cycle from what the block
 * shows (its mem_req_* outputs do not depend on our inputs). Once per cycle. */
static void serve_memory(rtl_side *r, const pmmu_rtl_out_t *out, uint64_t cycle, txn_log *log) {
  mem_port *p = &r->port;
  if (cycle == r->served_cycle) return;
  r->served_cycle = cycle;
  r->in.mem_req_ready = 0;
  r->in.mem_resp_valid = 0;
  if (!p->busy && out->mem_req_valid) {
    p->busy = true;
    memset(&p->txn, 0, sizeof p->txn);
    p->txn.op = out->mem_req_op == PMMU_RTL_MEM_CAS ? PMMU_MEM_CAS : PMMU_MEM_READ;
    p->txn.pa = out->mem_req_pa;
    p->txn.size = out->mem_req_size;
    p->txn.expected = p->txn.op == PMMU_MEM_CAS ? out->mem_req_expected : 0;
    p->txn.desired = p->txn.op == PMMU_MEM_CAS ? out->mem_req_new : 0;
    p->txn.present_cycle = cycle;
    pmem_next_timing(r->mem, cycle, &p->txn.accept_cycle, &p->txn.response_cycle, &p->err);
    r->port_txns++;
  }
  if (!p->busy) return;
  if (cycle == p->txn.accept_cycle) {
    r->in.mem_req_ready = 1;
    /* The memory acts when it takes the request; the walker sees it at the response. */
    pmmu_mem_ops ops = pmem_ops(r->mem);
    bool ok = !p->err;
    if (ok && p->txn.op == PMMU_MEM_READ)
      ok = ops.read(ops.ctx, p->txn.pa, p->txn.size, &p->txn.data);
    else if (ok)
      ok = ops.cas(ops.ctx, p->txn.pa, p->txn.size, p->txn.expected, p->txn.desired, &p->txn.data);
    p->txn.bus_error = !ok;
    if (!ok) p->txn.data = 0;
  }
  if (cycle == p->txn.response_cycle) {
    r->in.mem_resp_valid = 1;
    r->in.mem_resp_data = p->txn.data;
    r->in.mem_resp_err = p->txn.bus_error;
    if (log) txn_log_push(log, &p->txn);
    p->busy = false;
  }
}

/* Settles the current cycle with the memory port answered: its outputs (the shim's copy,
 * valid until the next settle). */
static const pmmu_rtl_out_t *settle(rtl_side *r, txn_log *log) {
  const pmmu_rtl_out_t *out = pmmu_rtl_outputs(r->h, &r->in);
  serve_memory(r, out, pmmu_rtl_cycle(r->h), log);
  /* no output depends on the memory port's inputs: the edge applies them (pmmu_rtl.h) */
  pmmu_rtl_set_mem(r->h, r->in.mem_req_ready, r->in.mem_resp_valid, r->in.mem_resp_data,
                   r->in.mem_resp_err);
  return out;
}

/* ---- The monitor (--dump-trace) -----------------------------------------------------------
 *
 * Reads the ports of one cycle, inputs and outputs as they stand at its closing edge, and
 * writes what completed in it, in the order transaction-trace.md gives within a cycle: the
 * memory transaction answered, the response, the PDPTE load's end, the interrupt outputs,
 * the ack, then the request accepted. Nothing here reads the model or the driver's notes. */

static void mon_emit(rtl_side *r, txtrace_event *ev, txtrace_kind kind, uint64_t cycle) {
  ev->kind = kind;
  ev->cycle = cycle;
  txtrace_write(r->trace, ev);
}

static void mon_memory(rtl_side *r, const pmmu_rtl_out_t *o, uint64_t cycle) {
  const pmmu_rtl_in_t *in = &r->in;
  pmmu_mem_txn *t = &r->mon_txn;
  if (!r->mon_mem && o->mem_req_valid) {
    r->mon_mem = true;
    memset(t, 0, sizeof *t);
    t->op = o->mem_req_op == PMMU_RTL_MEM_CAS ? PMMU_MEM_CAS : PMMU_MEM_READ;
    t->pa = o->mem_req_pa;
    t->size = o->mem_req_size;
    t->expected = t->op == PMMU_MEM_CAS ? o->mem_req_expected : 0;
    t->desired = t->op == PMMU_MEM_CAS ? o->mem_req_new : 0;
    t->present_cycle = cycle;
    t->accept_cycle = UINT64_MAX;
  }
  if (r->mon_mem && t->accept_cycle == UINT64_MAX && o->mem_req_valid && in->mem_req_ready)
    t->accept_cycle = cycle;
  if (r->mon_mem && in->mem_resp_valid) {
    txtrace_event ev = {.u.walk = *t};
    ev.u.walk.data = in->mem_resp_data;
    ev.u.walk.bus_error = in->mem_resp_err != 0;
    ev.u.walk.response_cycle = cycle;
    mon_emit(r, &ev, TXE_WALK, cycle);
    r->mon_mem = false;
  }
}

static pmmu_access access_of(uint8_t acc) {
  return acc == PMMU_RTL_ACC_WRITE   ? PMMU_WRITE
         : acc == PMMU_RTL_ACC_FETCH ? PMMU_FETCH
                                     : PMMU_READ;
}

static pmmu_priv priv_of(uint8_t priv) {
  return priv == PMMU_RTL_PRIV_USER       ? PMMU_USER
         : priv == PMMU_RTL_PRIV_IMPLICIT ? PMMU_IMPLICIT
                                          : PMMU_SUPERVISOR;
}

static void take_response(const pmmu_rtl_out_t *o, const pmmu_request *req, pmmu_response *out);

static void monitor(rtl_side *r, const pmmu_rtl_out_t *o, uint64_t cycle) {
  const pmmu_rtl_in_t *in = &r->in;
  txtrace_event ev;
  mon_memory(r, o, cycle);
  if (o->resp_valid) {
    pmmu_request none = {0};
    pmmu_response resp = {0};
    take_response(o, &none, &resp);
    ev = (txtrace_event){.u.resp = {.outcome = resp.outcome,
                                    .pa = resp.pa,
                                    .attr = resp.attr,
                                    .ec = resp.error_code,
                                    .tlb = resp.tlb}};
    mon_emit(r, &ev, TXE_RESP, cycle);
  }
  if (o->pdpte_done) {
    ev = (txtrace_event){.u.gp = o->pdpte_gp != 0};
    mon_emit(r, &ev, TXE_PDPTE, cycle);
  }
  pmmu_interrupt_state irq = {.pending = o->pf_irq != 0, .cr2 = o->pf_cr2, .error_code = o->pf_ec};
  if (irq.pending != r->mon_irq.pending || irq.cr2 != r->mon_irq.cr2 ||
      irq.error_code != r->mon_irq.error_code) {
    ev = (txtrace_event){.u.irq = irq};
    mon_emit(r, &ev, TXE_IRQ, cycle);
    r->mon_irq = irq;
  }
  if (in->pf_ack) mon_emit(r, &(txtrace_event){0}, TXE_ACK, cycle);
  if (in->req_valid && !r->mon_req) {
    r->mon_req = true;
    r->mon_req_present = cycle;
  }
  if (in->req_valid && o->req_ready) {
    ev = (txtrace_event){.u.req = {.presented = r->mon_req_present,
                                   .la = in->req_la,
                                   .access = access_of(in->req_acc),
                                   .priv = priv_of(in->req_priv),
                                   .ac = in->req_ac != 0}};
    mon_emit(r, &ev, TXE_REQ, cycle);
    r->mon_req = false;
  }
}

void rtl_side_set_trace(rtl_side *r, txtrace_writer *w) { r->trace = w; }
uint64_t rtl_side_cycle(const rtl_side *r) { return pmmu_rtl_cycle(r->h); }

uint64_t rtl_side_trace_end(rtl_side *r) {
  uint64_t cycle = pmmu_rtl_cycle(r->h);
  const pmmu_rtl_out_t *out = settle(r, NULL);
  if (r->trace) monitor(r, out, cycle);
  r->trace = NULL; /* the rest cycle is written: nothing may follow */
  return cycle;
}

/* ---- Injection: per-cycle interrupt checks, acks, reset ---------------------------------- */

static void finish_cycle(rtl_side *r, txn_log *log);
static void advance_to(rtl_side *r, uint64_t cycle, txn_log *log);

static void injected_cycle(rtl_side *r, const pmmu_rtl_out_t *o, uint64_t cycle) {
  if (cycle < r->irq_next && (o->pf_irq != 0) == r->irq_last.pending &&
      o->pf_cr2 == r->irq_last.cr2 && o->pf_ec == r->irq_last.error_code)
    return; /* the hook would find what it found in the last cycle it saw */
  r->irq_last =
      (pmmu_interrupt_state){.pending = o->pf_irq != 0, .cr2 = o->pf_cr2, .error_code = o->pf_ec};
  r->irq_next = r->irq_hook(r->irq_ctx, cycle, &r->irq_last);
}

void rtl_side_irq_recheck(rtl_side *r) { r->irq_next = 0; }

/* pf_ack high in the cycle just begun (the queue's head names it). */
static void next_ack(rtl_side *r) {
  r->in.pf_ack = 1;
  r->ack_head = (r->ack_head + 1) % RTL_ACK_QUEUE;
  r->n_acks--;
}

/* rst_ni low at the edge that ends the current cycle (pmmu_rtl_reset), then every input back
 * to what the testbench drives out of reset: no request, command or ack, the reset control
 * state, an idle memory port (a request it had taken is forgotten: its response never
 * comes). Cycles count from 0 again. */
static void apply_reset(rtl_side *r) {
  pmmu_rtl_reset(r->h, 1);
  r->reset_at = UINT64_MAX;
  r->reset_done = true;
  pmmu_control reset = {.cr0 = PMMU_CR0_PG};
  set_control(&r->in, &reset);
  r->in.req_valid = 0;
  r->in.flush_valid = 0;
  r->in.pf_ack = 0;
  r->in.mem_req_ready = 0;
  r->in.mem_resp_valid = 0;
  memset(&r->port, 0, sizeof r->port);
  r->served_cycle = UINT64_MAX;
  r->ready_cycle = 0;
  r->irq_watch = UINT64_MAX;
  r->irq_watch_done = false;
  r->irq_next = 0; /* cycles count from 0 again */
  r->n_acks = 0;
  r->ack_head = 0;
  pmmu_rtl_eval(r->h, &r->in, NULL);
}

void rtl_side_set_irq_hook(rtl_side *r, rtl_irq_hook fn, void *ctx) {
  r->irq_hook = fn;
  r->irq_next = 0;
  r->irq_ctx = ctx;
}

int rtl_side_ack(rtl_side *r, uint64_t cycle) {
  uint64_t now = pmmu_rtl_cycle(r->h);
  if (cycle < now) return TB_E_ORDER;
  if (r->n_acks && cycle <= r->acks[(r->ack_head + r->n_acks - 1) % RTL_ACK_QUEUE])
    return TB_E_ORDER; /* in cycle order, one per cycle */
  if (cycle == now) {
    r->in.pf_ack = 1;
    return TB_OK;
  }
  if (r->n_acks == RTL_ACK_QUEUE) return TB_E_INVALID;
  r->acks[(r->ack_head + r->n_acks++) % RTL_ACK_QUEUE] = cycle;
  return TB_OK;
}

int rtl_side_interrupt(rtl_side *r, uint64_t cycle, pmmu_interrupt_state *out) {
  if (cycle < pmmu_rtl_cycle(r->h)) return TB_E_ORDER;
  advance_to(r, cycle, NULL);
  /* registered outputs: no input of this cycle moves them */
  const pmmu_rtl_out_t *o = pmmu_rtl_outputs(r->h, &r->in);
  *out =
      (pmmu_interrupt_state){.pending = o->pf_irq != 0, .cr2 = o->pf_cr2, .error_code = o->pf_ec};
  return TB_OK;
}

void rtl_side_arm_reset(rtl_side *r, uint64_t cycle) {
  r->reset_at = cycle;
  r->reset_done = false;
}

bool rtl_side_take_reset(rtl_side *r) {
  bool done = r->reset_done;
  r->reset_done = false;
  r->reset_at = UINT64_MAX;
  return done;
}

int rtl_side_reset(rtl_side *r, uint64_t cycle) {
  if (cycle < pmmu_rtl_cycle(r->h) || r->in.req_valid) return TB_E_ORDER;
  rtl_side_arm_reset(r, cycle);
  while (!r->reset_done) finish_cycle(r, NULL);
  r->reset_done = false;
  return TB_OK;
}

/* ---- The port log (rtl_side_set_port_log; rtl/tests/icarus/README.md gives the format) ----
 *
 * Every input and output of pmmu_top in every cycle, as they stand at the cycle's closing edge:
 * the inputs are what the block was clocked with, so that another simulator given the same
 * inputs cycle by cycle must show the same outputs. */

static void port_row(FILE *f, unsigned rst_n, const pmmu_rtl_in_t *i, const pmmu_rtl_out_t *o) {
  /* the port encodings (mem_req_size is its mem_size_t value, not bytes) */
  unsigned size = o->mem_req_size == 8 ? PMMU_RTL_MEM_SIZE8 : PMMU_RTL_MEM_SIZE4;
  fprintf(f,
          "%u %x %x %08" PRIx32 " %x %x %x %x %x %x %x %08" PRIx32 " %x %x %x %x %x %016" PRIx64
          " %x %x %x %08" PRIx32 " %x  %x %x %09" PRIx64 " %x %02x %x %x %x %x %x %x %09" PRIx64
          " %x %x %016" PRIx64 " %016" PRIx64 " %x %08" PRIx32 " %02x %x %x\n",
          rst_n, i->cr0_pg, i->cr0_wp, i->cr3, i->cr4_pse, i->cr4_pae, i->cr4_pge, i->cr4_smep,
          i->cr4_smap, i->efer_nxe, i->req_valid, i->req_la, i->req_acc, i->req_priv, i->req_ac,
          i->mem_req_ready, i->mem_resp_valid, i->mem_resp_data, i->mem_resp_err, i->flush_valid,
          i->flush_kind, i->flush_la, i->pf_ack, o->req_ready, o->resp_valid, o->resp_pa,
          o->resp_fault, o->resp_ec, o->resp_bus_err, o->resp_tlb, o->resp_pwt, o->resp_pcd,
          o->resp_pat, o->mem_req_valid, o->mem_req_pa, size, o->mem_req_op, o->mem_req_expected,
          o->mem_req_new, o->pf_irq, o->pf_cr2, o->pf_ec, o->pdpte_done, o->pdpte_gp);
}

bool rtl_side_set_port_log(rtl_side *r, FILE *f) {
  if (f && pmmu_rtl_cycle(r->h) != 0) return false; /* some cycles are gone already */
  r->ports = f;
  if (!f) return true;
  fprintf(f, "# pmmu port log v1: rst_n, the inputs, then the outputs of pmmu_top per cycle "
             "(rtl/tests/icarus/README.md)\n");
  /* pmmu_rtl_new() reset the block: rst_ni low for two edges with every input 0 */
  pmmu_rtl_in_t zero_in = {0};
  pmmu_rtl_out_t zero_out = {0};
  zero_out.mem_req_size = 4;
  for (int i = 0; i < 2; i++) port_row(f, 0, &zero_in, &zero_out);
  return true;
}

static void advance_to(rtl_side *r, uint64_t cycle, txn_log *log);

/* The last cycles: on to R + 1 of the last response (T10: its interrupt shows there), then
 * the cycle the block rests in, as if it ended now. */
static void port_log_end(rtl_side *r) {
  if (!r->ports || !r->h) return;
  if (r->ready_cycle + 1 > pmmu_rtl_cycle(r->h)) advance_to(r, r->ready_cycle + 1, NULL);
  const pmmu_rtl_out_t *out = settle(r, NULL);
  port_row(r->ports, 1, &r->in, out);
  r->ports = NULL;
}

/* Ends the current cycle, whose outputs `out` holds (settle() was called and no input changed
 * since: one settle per cycle): the edge, then the one-cycle inputs drop. */
static void finish_settled(rtl_side *r, const pmmu_rtl_out_t *out) {
  uint64_t cycle = pmmu_rtl_cycle(r->h);
  if (r->trace) monitor(r, out, cycle);
  if (r->ports) port_row(r->ports, 1, &r->in, out);
  if (r->irq_hook) injected_cycle(r, out, cycle);
  if (cycle == r->reset_at) {
    apply_reset(r);
    return;
  }
  if (r->in.req_valid && out->req_ready) r->in.req_valid = 0; /* accepted at this edge */
  pmmu_rtl_tick(r->h);
  r->in.flush_valid = 0;
  r->in.pf_ack = 0;
  if (r->n_acks && r->acks[r->ack_head] == cycle + 1) next_ack(r);
  if (cycle == r->irq_watch) { /* T10: the interrupt as it stands in R + 1 */
    out = pmmu_rtl_outputs(r->h, &r->in);
    r->irq_seen = (pmmu_interrupt_state){
        .pending = out->pf_irq, .cr2 = out->pf_cr2, .error_code = out->pf_ec};
    r->irq_watch_done = true;
  }
}

/* Ends the current cycle: settles it, then finish_settled(). */
static void finish_cycle(rtl_side *r, txn_log *log) { finish_settled(r, settle(r, log)); }

static void advance_to(rtl_side *r, uint64_t cycle, txn_log *log) {
  while (pmmu_rtl_cycle(r->h) < cycle && !r->reset_done) finish_cycle(r, log);
}

void rtl_side_sync(rtl_side *r, uint64_t cycle) { advance_to(r, cycle, NULL); }

/* ---- Requests -------------------------------------------------------------------------- */

/* ---- Giving up (engine_sides.h, ENGINE_HANG_CYCLES) ------------------------------------ */

typedef struct hang_watch {
  uint64_t limit;    /* give up in a cycle after this one */
  uint64_t requests; /* r->port_txns when last looked at */
  unsigned accesses; /* walk accesses of this operation */
} hang_watch;

static void hang_watch_start(rtl_side *r, hang_watch *w, uint64_t cycle) {
  w->limit = cycle + ENGINE_HANG_CYCLES;
  w->requests = r->port_txns;
  w->accesses = 0;
  if (r->port.busy && r->port.txn.response_cycle > cycle) /* still in the memory */
    w->limit += r->port.txn.response_cycle - cycle;
}

/* true when the RTL is to be given up in `cycle`. An access seen since the last look (at most
 * one per cycle: the port holds one) moves the limit by the cycles its memory holds it. */
static inline bool hang_watch_expired(rtl_side *r, hang_watch *w, uint64_t cycle) {
  uint64_t n = r->port_txns; /* counted here: no call per cycle */
  if (n != w->requests) {
    if (r->port.busy) {
      w->accesses += (unsigned)(n - w->requests);
      w->limit += r->port.txn.response_cycle - r->port.txn.present_cycle + 1;
    }
    w->requests = n;
  }
  return cycle > w->limit || w->accesses > ENGINE_HANG_ACCESSES;
}

static void set_request(pmmu_rtl_in_t *in, const pmmu_request *req) {
  in->req_valid = 1;
  in->req_la = req->la;
  in->req_acc = req->access == PMMU_WRITE   ? PMMU_RTL_ACC_WRITE
                : req->access == PMMU_FETCH ? PMMU_RTL_ACC_FETCH
                                            : PMMU_RTL_ACC_READ;
  in->req_priv = req->priv == PMMU_USER       ? PMMU_RTL_PRIV_USER
                 : req->priv == PMMU_IMPLICIT ? PMMU_RTL_PRIV_IMPLICIT
                                              : PMMU_RTL_PRIV_SUP;
  in->req_ac = req->ac;
}

static void take_response(const pmmu_rtl_out_t *o, const pmmu_request *req, pmmu_response *out) {
  out->tlb = o->resp_tlb == PMMU_RTL_TLB_HIT   ? PMMU_TLB_HIT
             : o->resp_tlb == PMMU_RTL_TLB_OFF ? PMMU_TLB_OFF
                                               : PMMU_TLB_MISS;
  if (o->resp_bus_err) {
    out->outcome = PMMU_BUS_ERROR;
  } else if (o->resp_fault) {
    out->outcome = PMMU_PAGE_FAULT;
    out->error_code = o->resp_ec;
    out->cr2 = req->la;
  } else {
    out->outcome = PMMU_OK;
    out->pa = o->resp_pa;
    out->attr = (o->resp_pwt ? 1u : 0u) | (o->resp_pcd ? 2u : 0u) | (o->resp_pat ? 4u : 0u);
  }
}

static void set_flush(pmmu_rtl_in_t *in, pmmu_flush_kind kind, uint32_t la) {
  in->flush_valid = 1;
  in->flush_kind = kind == PMMU_FLUSH_ALL    ? PMMU_RTL_FLUSH_ALL
                   : kind == PMMU_FLUSH_PAGE ? PMMU_RTL_FLUSH_PAGE
                                             : PMMU_RTL_FLUSH_NONGLOBAL;
  in->flush_la = la;
}

int rtl_side_translate(rtl_side *r, const pmmu_request *req, engine_flush *flush,
                       pmmu_response *out, txn_log *log) {
  memset(out, 0, sizeof *out);
  txn_log_clear(log);
  bool early = r->early_presented && r->early.cycle == req->cycle && r->early.la == req->la;
  if (r->in.req_valid && !early) return TB_E_ORDER; /* one request at a time */
  r->early_armed = r->early_presented = false;
  advance_to(r, req->cycle, log);
  if (r->reset_done) return RTL_RESET;
  set_request(&r->in, req);
  bool accepted = false, answered = false, flushed = flush == NULL;
  hang_watch hw;
  hang_watch_start(r, &hw, pmmu_rtl_cycle(r->h));
  for (;;) {
    uint64_t cycle = pmmu_rtl_cycle(r->h);
    if (hang_watch_expired(r, &hw, cycle)) {
      out->response_cycle = cycle; /* given up in */
      return TB_HANG;
    }
    if (accepted && !flushed && cycle == out->accept_cycle + 1 + flush->after) {
      set_flush(&r->in, flush->kind, flush->la);
      flush->cycle = cycle;
      flushed = true;
      if (r->trace) {
        txtrace_event ev = {.kind = TXE_FLUSH, .cycle = cycle, .u.flush = {flush->kind, flush->la}};
        txtrace_write(r->trace, &ev);
      }
    }
    const pmmu_rtl_out_t *o = settle(r, log);
    if (!accepted && r->in.req_valid && o->req_ready) {
      accepted = true;
      out->accept_cycle = cycle;
    } else if (accepted && !answered && o->resp_valid) {
      take_response(o, req, out);
      out->response_cycle = cycle;
      answered = true;
    }
    if (answered && flushed) break; /* rest in this cycle, un-ticked */
    finish_settled(r, o);
    if (r->reset_done) return RTL_RESET; /* the request is lost */
  }
  out->cycles = (uint32_t)(out->response_cycle - out->accept_cycle);
  out->mem_accesses = log->n;
  r->ready_cycle = out->response_cycle;
  return TB_OK;
}

int rtl_side_control(rtl_side *r, const pmmu_control *ctl, int flush_kind, uint32_t la,
                     uint64_t cycle) {
  if (cycle < pmmu_rtl_cycle(r->h)) return TB_E_ORDER;
  advance_to(r, cycle, NULL);
  if (flush_kind >= 0 && r->in.flush_valid) return TB_E_ORDER; /* one flush per cycle */
  set_control(&r->in, ctl);
  if (flush_kind >= 0) set_flush(&r->in, (pmmu_flush_kind)flush_kind, la);
  return TB_OK;
}

void rtl_side_arm_early(rtl_side *r, const pmmu_request *req) {
  r->early = *req;
  r->early_armed = true;
  r->early_presented = false;
}

int rtl_side_load_pdptes(rtl_side *r, const pmmu_control *next, const pmmu_control *old,
                         int flush_kind, uint64_t cycle, uint64_t *done_cycle, bool *gp,
                         txn_log *log) {
  txn_log_clear(log);
  if (cycle < pmmu_rtl_cycle(r->h)) return TB_E_ORDER;
  advance_to(r, cycle, NULL);
  if (r->reset_done) return RTL_RESET;
  if (r->in.flush_valid || r->in.req_valid) return TB_E_ORDER; /* the port is taken */
  set_control(&r->in, next);
  r->in.flush_valid = 1;
  r->in.flush_kind = PMMU_RTL_FLUSH_LOAD_PDPTE;
  r->in.flush_la = 0;
  hang_watch hw;
  hang_watch_start(r, &hw, cycle);
  for (;;) {
    uint64_t c = pmmu_rtl_cycle(r->h);
    if (hang_watch_expired(r, &hw, c)) {
      *done_cycle = c; /* given up in */
      return TB_HANG;
    }
    if (r->early_armed && c == r->early.cycle) {
      set_request(&r->in, &r->early); /* T11: req_ready is low until D; valid waits */
      r->early_presented = true;
    }
    const pmmu_rtl_out_t *o = settle(r, log);
    if (o->pdpte_done) {
      *done_cycle = c;
      *gp = o->pdpte_gp != 0;
      break; /* rest in D, un-ticked */
    }
    finish_settled(r, o);
    if (r->reset_done) return RTL_RESET; /* the load is lost */
  }
  if (*gp) set_control(&r->in, old); /* refused: the registers keep their old values */
  else if (flush_kind >= 0) set_flush(&r->in, (pmmu_flush_kind)flush_kind, 0);
  r->ready_cycle = *done_cycle; /* T11: the next request is accepted in D at the earliest */
  return TB_OK;
}

void rtl_side_watch_interrupt(rtl_side *r, uint64_t response_cycle) {
  r->irq_watch = response_cycle;
  r->irq_watch_done = false;
}

bool rtl_side_watched_interrupt(rtl_side *r, bool force, pmmu_interrupt_state *out) {
  if (r->irq_watch == UINT64_MAX) return false;
  if (!r->irq_watch_done && force) advance_to(r, r->irq_watch + 1, NULL);
  if (!r->irq_watch_done) return false;
  *out = r->irq_seen;
  r->irq_watch = UINT64_MAX;
  return true;
}
