/*
 * `pmmu check-trace`'s replay (txtrace.h): the trace's events, in order, on the C model, with
 * the lockstep's comparisons (engine.c) and its table (engine_report.c), the trace in the
 * "rtl" column.
 *
 * - Memory: the model's own sparse memory, built from the trace's "mem" events (the
 *   testbench's writes) and the model's compare-and-swaps; it starts all zero.
 * - The memory's timing is the environment's, taken from the trace: the model's k-th walker
 *   request gets the back-pressure (accepted - presented), the latency (cycle - accepted) and
 *   the bus error of the trace's k-th "walk" event, as pmem gives the k-th request its timing.
 *   So a DUT that presents a request late, reads the wrong address or the wrong data, or
 *   answers in the wrong cycle differs from the model in that field.
 * - A walk is replayed when its request is met, whole: memory the testbench writes while a
 *   walk is in flight is seen from the next request on.
 * - The first comparison that differs ends the replay: after it the two memories (A/D bits)
 *   and TLBs may differ, and every later difference would follow from the first.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "txtrace.h"

typedef struct txns {
  pmmu_mem_txn *v;
  unsigned n, cap;
} txns;

typedef struct irq_check {
  uint64_t cycle; /* compared once every event of this cycle is read */
  uint64_t request;
  pmmu_request req;
  pmmu_interrupt_state want;
} irq_check;

#define MAX_IRQ_CHECKS 8

typedef struct checker {
  const txtrace *t;
  const char *path;
  FILE *out;
  tb_error *err;
  pmmu_t *m;
  pmem_t *mem;
  /* the environment's timing: the trace's walk events, in order (an index of t->ev, or a
   * cursor that reads them ahead of the events when the trace is streamed) */
  size_t *walks, n_walks, next_walk;
  txtrace_cursor *walk_cursor;
  bool bus_error; /* the model's current memory access answers with one */
  txns model, trace;
  /* the operation in flight: a request, or a PDPTE load */
  enum { OP_NONE, OP_REQ, OP_LOAD } op;
  const txtrace_event *op_ev; /* &op_copy: a streamed event does not outlive its step */
  txtrace_event op_copy;
  pmmu_request req;
  pmmu_response resp;
  pmmu_reg_result load;
  uint64_t requests;
  irq_check irq[MAX_IRQ_CHECKS];
  unsigned n_irq;
  pmmu_interrupt_state seen; /* the interrupt outputs as the trace last showed them */
  engine_mismatch *diffs;
  size_t n_diffs, cap_diffs;
  txtrace_counts counts;
} checker;

/* ---- The model's memory ------------------------------------------------------------------ */

static void txns_push(txns *l, const pmmu_mem_txn *t) {
  if (l->n == l->cap) {
    unsigned cap = l->cap ? 2 * l->cap : 16;
    pmmu_mem_txn *v = realloc(l->v, cap * sizeof *v);
    if (!v) return; /* the comparison reports the shorter list */
    l->v = v;
    l->cap = cap;
  }
  l->v[l->n++] = *t;
}

static bool mem_read(void *ctx, uint64_t pa, unsigned size, uint64_t *value) {
  checker *c = ctx;
  if (c->bus_error) return false;
  *value = pmem_read(c->mem, pa, size);
  return true;
}

static bool mem_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expected, uint64_t desired,
                    uint64_t *old) {
  checker *c = ctx;
  if (c->bus_error) return false;
  *old = pmem_read(c->mem, pa, size);
  if (*old == expected) pmem_write(c->mem, pa, size, desired);
  return true;
}

static void mem_timing(void *ctx, pmmu_mem_op op, uint64_t pa, unsigned size, uint64_t present,
                       uint64_t *accept, uint64_t *response) {
  checker *c = ctx;
  (void)op;
  (void)pa;
  (void)size;
  *accept = present;
  *response = present + 1;
  c->bus_error = false;
  txtrace_event next;
  const pmmu_mem_txn *w;
  if (c->walk_cursor) {
    if (!txtrace_cursor_next(c->walk_cursor, &next)) return; /* the DUT made fewer */
    w = &next.u.walk;
  } else {
    if (c->next_walk >= c->n_walks) return; /* the DUT made fewer: the comparison says so */
    w = &c->t->ev[c->walks[c->next_walk++]].u.walk;
  }
  *accept = present + (w->accept_cycle - w->present_cycle);
  *response = *accept + (w->response_cycle - w->accept_cycle);
  c->bus_error = w->bus_error;
}

static void mem_observe(void *ctx, const pmmu_mem_txn *txn) {
  txns_push(&((checker *)ctx)->model, txn);
}

/* The model, from the header's configuration: the one place that creates it. */
static int model_create(checker *c) {
  pmmu_config cfg;
  pmmu_config_init(&cfg);
  cfg.tlb_sets = c->t->config.tlb_sets;
  cfg.tlb_ways = c->t->config.tlb_ways;
  cfg.tlb_large = c->t->config.tlb_large;
  cfg.policy = c->t->config.policy;
  cfg.lfsr_seed = c->t->config.lfsr_seed;
  cfg.mem = (pmmu_mem_ops){
      .read = mem_read, .cas = mem_cas, .timing = mem_timing, .observe = mem_observe, .ctx = c};
  const char *bad = pmmu_config_check(&cfg);
  if (bad) return tb_fail(c->err, TB_E_CONFIG, "%s:1: error: config: %s", c->path, bad);
  pmmu_error made = pmmu_create(&cfg, &c->m);
  if (made) return tb_fail(c->err, (int)made, "%s", pmmu_strerror(made));
  return TB_OK;
}

/* ---- Differences, as the lockstep records them -------------------------------------------- */

static engine_mismatch *differ(checker *c, const engine_mismatch *proto, const char *field) {
  return engine_mismatch_append(&c->diffs, &c->n_diffs, &c->cap_diffs, proto, field);
}

static void differ_u64(checker *c, const engine_mismatch *proto, const char *field, uint64_t model,
                       uint64_t trace) {
  if (model == trace) return;
  engine_mismatch *m = differ(c, proto, field);
  if (!m) return;
  m->model = model;
  m->rtl = trace;
}

static bool same_txn(const pmmu_mem_txn *a, const pmmu_mem_txn *b) {
  return a->op == b->op && a->pa == b->pa && a->size == b->size && a->data == b->data &&
         a->bus_error == b->bus_error && a->present_cycle == b->present_cycle &&
         a->accept_cycle == b->accept_cycle && a->response_cycle == b->response_cycle &&
         (a->op != PMMU_MEM_CAS || (a->expected == b->expected && a->desired == b->desired));
}

static void compare_txns(checker *c, const engine_mismatch *proto) {
  unsigned n = c->model.n > c->trace.n ? c->model.n : c->trace.n;
  for (unsigned i = 0; i < n; i++) {
    const pmmu_mem_txn *a = i < c->model.n ? &c->model.v[i] : NULL;
    const pmmu_mem_txn *b = i < c->trace.n ? &c->trace.v[i] : NULL;
    if (a && b && same_txn(a, b)) continue;
    engine_mismatch *m = differ(c, proto, "memory access");
    if (!m) continue;
    m->txn = i + 1;
    m->has_model_txn = a != NULL;
    m->has_rtl_txn = b != NULL;
    if (a) m->model_txn = *a;
    if (b) m->rtl_txn = *b;
  }
}

static engine_mismatch proto_request(engine_diff_op op, uint64_t request, const pmmu_request *req) {
  return (engine_mismatch){
      .report = 1, .op = op, .request = request, .req = *req, .cycle = req->cycle};
}

static engine_mismatch proto_load(const checker *c) {
  const txtrace_event *r = c->op_ev;
  return (engine_mismatch){.report = 1,
                           .op = ENGINE_DIFF_PDPTE_LOAD,
                           .reg = (engine_reg)r->u.reg.reg,
                           .reg_value = r->u.reg.value,
                           .cycle = r->cycle};
}

/* The first divergence, at the event `at`: the table, then TB_MISMATCH. */
static int diverged(checker *c, const txtrace_event *at) {
  char repro[1024];
  if (c->t->command[0])
    snprintf(repro, sizeof repro, "pmmu check-trace %s (the trace was written by: %s)", c->path,
             c->t->command);
  else snprintf(repro, sizeof repro, "pmmu check-trace %s", c->path);
  fprintf(c->out,
          "%s:%" PRIu32 ": the trace differs from the model (the rtl column is the trace)\n",
          c->path, at->line);
  engine_report_mismatches(c->out, c->diffs, c->n_diffs, repro);
  return TB_MISMATCH;
}

/* ---- Operations ----------------------------------------------------------------------------- */

static int refused(checker *c, const txtrace_event *ev, int code, const char *what) {
  return tb_fail(c->err, TB_E_INPUT, "%s:%" PRIu32 ": error: the model refused the %s: %s", c->path,
                 ev->line, what, tb_status_name(code));
}

/* Compares the request in flight with its response `ev`. */
static int compare_request(checker *c, const txtrace_event *ev) {
  const pmmu_response *m = &c->resp;
  const txtrace_event *q = c->op_ev;
  engine_mismatch p = proto_request(ENGINE_DIFF_REQUEST, c->requests, &c->req);
  differ_u64(c, &p, "outcome", m->outcome, ev->u.resp.outcome);
  if (m->outcome == PMMU_OK && ev->u.resp.outcome == PMMU_OK) {
    differ_u64(c, &p, "pa", m->pa, ev->u.resp.pa);
    differ_u64(c, &p, "attr (pwt|pcd<<1|pat<<2)", m->attr, ev->u.resp.attr);
  }
  if (m->outcome == PMMU_PAGE_FAULT && ev->u.resp.outcome == PMMU_PAGE_FAULT)
    differ_u64(c, &p, "error code", m->error_code, ev->u.resp.ec);
  differ_u64(c, &p, "tlb", m->tlb, ev->u.resp.tlb);
  differ_u64(c, &p, "accept cycle", m->accept_cycle, q->cycle);
  differ_u64(c, &p, "response cycle", m->response_cycle, ev->cycle);
  compare_txns(c, &p);
  if (c->n_diffs) return diverged(c, ev);
  c->counts.requests++;
  c->counts.responses++;
  c->counts.walks += c->trace.n;
  if ((m->outcome == PMMU_PAGE_FAULT || ev->u.resp.outcome == PMMU_PAGE_FAULT) &&
      c->n_irq < MAX_IRQ_CHECKS) { /* T10: as it stands in R + 1 */
    irq_check *k = &c->irq[c->n_irq++];
    k->cycle = ev->cycle + 1;
    k->request = c->requests;
    k->req = c->req;
    pmmu_interrupt_at(c->m, k->cycle, &k->want);
  }
  c->op = OP_NONE;
  c->trace.n = 0;
  return TB_OK;
}

static int compare_load(checker *c, const txtrace_event *ev) {
  engine_mismatch p = proto_load(c);
  differ_u64(c, &p, "#GP(0)", c->load.gp_fault, ev->u.gp);
  differ_u64(c, &p, "done cycle", c->load.done_cycle, ev->cycle);
  compare_txns(c, &p);
  if (c->n_diffs) return diverged(c, ev);
  c->counts.pdpte_loads++;
  c->counts.walks += c->trace.n;
  c->op = OP_NONE;
  c->trace.n = 0;
  return TB_OK;
}

/* The operation in flight never ended before `ev` (the next operation, or the end): a hang
 * record, as the lockstep makes one when the RTL never answers. */
static int close_op(checker *c, const txtrace_event *ev) {
  if (c->op == OP_NONE) return TB_OK;
  engine_mismatch p =
      c->op == OP_REQ ? proto_request(ENGINE_DIFF_REQUEST, c->requests, &c->req) : proto_load(c);
  engine_mismatch *m = differ(c, &p, c->op == OP_REQ ? "response" : "done cycle");
  if (m) {
    m->hang = true;
    m->model = c->op == OP_REQ ? c->resp.response_cycle : c->load.done_cycle;
    m->rtl = ev->cycle;
  }
  return diverged(c, ev);
}

/* The interrupt checks due before `ev` (every event of their cycle was read). */
static int due_checks(checker *c, const txtrace_event *ev) {
  unsigned kept = 0;
  for (unsigned i = 0; i < c->n_irq; i++) {
    irq_check *k = &c->irq[i];
    bool due = ev->kind == TXE_END ? k->cycle <= ev->cycle : k->cycle < ev->cycle;
    if (!due) {
      if (ev->kind != TXE_END) c->irq[kept++] = *k; /* at the end: the trace stops before it */
      continue;
    }
    engine_mismatch p = proto_request(ENGINE_DIFF_INTERRUPT, k->request, &k->req);
    differ_u64(c, &p, "interrupt line (R+1)", k->want.pending, c->seen.pending);
    differ_u64(c, &p, "latched CR2 (R+1)", k->want.cr2, c->seen.cr2);
    differ_u64(c, &p, "latched error code (R+1)", k->want.error_code, c->seen.error_code);
    if (c->n_diffs) return diverged(c, ev);
    c->counts.interrupts++;
  }
  c->n_irq = kept;
  return TB_OK;
}

static int on_request(checker *c, const txtrace_event *ev) {
  int st = close_op(c, ev);
  if (st) return st;
  c->req = (pmmu_request){.la = ev->u.req.la,
                          .access = ev->u.req.access,
                          .priv = ev->u.req.priv,
                          .ac = ev->u.req.ac,
                          .cycle = ev->u.req.presented};
  c->model.n = 0;
  c->requests++;
  int err = pmmu_translate(c->m, &c->req, &c->resp);
  if (err) return refused(c, ev, err, "request");
  c->op = OP_REQ;
  c->op_copy = *ev;
  c->op_ev = &c->op_copy;
  return TB_OK;
}

static int on_register(checker *c, const txtrace_event *ev) {
  int st = close_op(c, ev);
  if (st) return st;
  uint64_t v = ev->u.reg.value;
  c->model.n = 0;
  c->load = (pmmu_reg_result){0};
  int err = ev->u.reg.reg == REG_CR0   ? pmmu_write_cr0(c->m, (uint32_t)v, ev->cycle, &c->load)
            : ev->u.reg.reg == REG_CR3 ? pmmu_write_cr3(c->m, (uint32_t)v, ev->cycle, &c->load)
            : ev->u.reg.reg == REG_CR4 ? pmmu_write_cr4(c->m, (uint32_t)v, ev->cycle, &c->load)
                                       : pmmu_write_efer(c->m, v, ev->cycle, &c->load);
  if (err) return refused(c, ev, err, "register write");
  if (c->load.pdptes_loaded || c->load.gp_fault) {
    c->op = OP_LOAD;
    c->op_copy = *ev;
    c->op_ev = &c->op_copy;
  }
  return TB_OK;
}

/* A response or a PDPTE load's end that the model does not expect. */
static int unexpected(checker *c, const txtrace_event *ev) {
  pmmu_request none = {.cycle = ev->cycle};
  engine_mismatch p = proto_request(ENGINE_DIFF_REQUEST, c->requests + 1, &none);
  differ_u64(c, &p,
             ev->kind == TXE_RESP ? "response cycle (no request)" : "done cycle (no PDPTE load)", 0,
             ev->cycle);
  return diverged(c, ev);
}

static int on_end(checker *c, const txtrace_event *ev) {
  int st = close_op(c, ev);
  if (st || (st = due_checks(c, ev))) return st;
  if (c->trace.n) { /* memory transactions of no operation */
    c->model.n = 0;
    pmmu_request none = {.cycle = c->trace.v[0].present_cycle};
    engine_mismatch p = proto_request(ENGINE_DIFF_REQUEST, c->requests + 1, &none);
    compare_txns(c, &p);
    return diverged(c, ev);
  }
  return TB_OK;
}

/* Every change of the interrupt outputs against the model's line, CR2 and error code in that
 * cycle (T10), as lockstep compares them in every cycle. */
static int on_irq(checker *c, const txtrace_event *ev) {
  pmmu_interrupt_state want;
  pmmu_interrupt_at(c->m, ev->cycle, &want);
  engine_mismatch p = proto_request(ENGINE_DIFF_INTERRUPT, c->requests, &c->req);
  p.irq_cycle = ev->cycle;
  differ_u64(c, &p, "interrupt line", want.pending, ev->u.irq.pending);
  differ_u64(c, &p, "latched CR2", want.cr2, ev->u.irq.cr2);
  differ_u64(c, &p, "latched error code", want.error_code, ev->u.irq.error_code);
  return c->n_diffs ? diverged(c, ev) : TB_OK;
}

static int step(checker *c, const txtrace_event *ev) {
  int st = ev->kind == TXE_END ? TB_OK : due_checks(c, ev);
  if (st) return st;
  switch (ev->kind) {
  case TXE_MEM:
    if (!pmem_write(c->mem, ev->u.mem.pa, ev->u.mem.size, ev->u.mem.value))
      return tb_fail(c->err, TB_E_NOMEM, "out of memory");
    return TB_OK;
  case TXE_REG: return on_register(c, ev);
  case TXE_INVLPG:
  case TXE_FLUSH: {
    int err = ev->kind == TXE_INVLPG
                  ? pmmu_invlpg(c->m, ev->u.flush.la, ev->cycle)
                  : pmmu_flush(c->m, ev->u.flush.kind, ev->u.flush.la, ev->cycle);
    return err ? refused(c, ev, err, txtrace_kind_name(ev->kind)) : TB_OK;
  }
  case TXE_REQ: return on_request(c, ev);
  case TXE_WALK: txns_push(&c->trace, &ev->u.walk); return TB_OK;
  case TXE_RESP: return c->op == OP_REQ ? compare_request(c, ev) : unexpected(c, ev);
  case TXE_PDPTE: return c->op == OP_LOAD ? compare_load(c, ev) : unexpected(c, ev);
  case TXE_IRQ: c->seen = ev->u.irq; return on_irq(c, ev);
  case TXE_ACK:
    /* in cycle order, like the trace: the model follows the line cycle by cycle */
    if (pmmu_ack_interrupt_at(c->m, ev->cycle) != PMMU_E_OK)
      return refused(c, ev, PMMU_E_ORDER, "ack");
    if (c->n_irq < MAX_IRQ_CHECKS) { /* T10: the line is low from ack + 1 (no new fault) */
      irq_check *k = &c->irq[c->n_irq++];
      k->cycle = ev->cycle + 1;
      k->request = c->requests;
      k->req = c->req;
      pmmu_interrupt_at(c->m, k->cycle, &k->want);
    }
    return TB_OK;
  case TXE_END: return on_end(c, ev);
  }
  return TB_OK;
}

static void checker_free(checker *c) {
  pmmu_destroy(c->m);
  pmem_destroy(c->mem);
  free(c->walks);
  free(c->model.v);
  free(c->trace.v);
  free(c->diffs);
}

int txtrace_check(const txtrace *t, const char *path, FILE *out, txtrace_counts *counts,
                  tb_error *err) {
  checker c = {.t = t, .path = path, .out = out, .err = err};
  int st = TB_OK;
  if (!(c.mem = pmem_create()) || !(c.walks = malloc((t->n + 1) * sizeof *c.walks)))
    st = tb_fail(err, TB_E_NOMEM, "out of memory");
  for (size_t i = 0; st == TB_OK && i < t->n; i++)
    if (t->ev[i].kind == TXE_WALK) c.walks[c.n_walks++] = i;
  if (st == TB_OK) st = model_create(&c);
  for (size_t i = 0; st == TB_OK && i < t->n; i++) st = step(&c, &t->ev[i]);
  if (counts) *counts = c.counts;
  checker_free(&c);
  return st;
}

int txtrace_check_stream(const txtrace *t, txtrace_cursor *events, txtrace_cursor *walks,
                         const char *path, FILE *out, txtrace_counts *counts, tb_error *err) {
  checker c = {.t = t, .path = path, .out = out, .err = err, .walk_cursor = walks};
  int st = TB_OK;
  if (!(c.mem = pmem_create())) st = tb_fail(err, TB_E_NOMEM, "out of memory");
  if (st == TB_OK) st = model_create(&c);
  txtrace_event ev;
  bool ended = false;
  while (st == TB_OK && !ended && txtrace_cursor_next(events, &ev)) {
    st = step(&c, &ev);
    ended = ev.kind == TXE_END;
  }
  if (st == TB_OK && !ended) /* the first reading found its end: the file changed since */
    st = tb_fail(err, TB_E_IO, "%s: the file changed while it was read", path);
  if (counts) *counts = c.counts;
  checker_free(&c);
  return st;
}
