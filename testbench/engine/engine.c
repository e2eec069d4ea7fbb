/*
 * The engines behind engine.h: the model over its own pmem, the RTL over its own pmem, and
 * both in lockstep. The lockstep engine works like Ibex's co-simulation: every operation goes
 * to both halves, and every response (result, error code, CR2, hit, accept and response
 * cycles) and every walker memory transaction (operation, address, size, data, cycles, order)
 * is compared; a difference becomes records (engine_mismatch) for the caller to format.
 */
#include "engine.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_sides.h"

typedef struct model_side {
  pmem_t *mem;
  pmmu_t *m;
  txn_log log;
} model_side;

/* The model's interrupt outputs as a function of the cycle (pmmu_interrupt_at, timing.md T10)
 * change only from the cycle after a fault's response (R + 1) or after an ack (a + 1), and
 * every request and ack reaches the model through this file: so the per-cycle comparison
 * (inject_irq_cycle) reads the model once per stretch of cycles in which its value cannot
 * change, not in every cycle. */
#define IRQ_POINTS (2 * RTL_ACK_QUEUE + 8)
typedef struct irq_cache {
  bool valid;
  uint64_t from, until; /* `want` holds in the cycles [from, until) */
  pmmu_interrupt_state want;
  uint64_t point[IRQ_POINTS]; /* cycles from which the value may change, after `from` */
  unsigned n;
  bool off; /* more points than fit: the model is read in every cycle (until a reset) */
} irq_cache;

struct engine {
  engine_kind kind;
  model_side *model;
  rtl_side *rtl;
  pmmu_control ctl; /* as last written successfully: the RTL's control inputs */
  uint64_t requests;
  uint64_t reports;       /* comparisons that differed */
  engine_mismatch *diffs; /* records not cleared yet */
  size_t ndiffs, cap;
  tb_error err; /* the last error */
  /* A #PF's interrupt, compared once the RTL has reached R + 1. */
  bool irq_pending;
  uint64_t irq_request;
  pmmu_request irq_req;
  pmmu_interrupt_state irq_want;
  /* --dump-trace */
  engine_setup setup;
  txtrace_writer *trace;
  bool trace_hold; /* the model's trace: an interrupt event of R + 1 waits for its cycle */
  txtrace_event trace_held;
  pmmu_interrupt_state trace_irq; /* the model's trace: the interrupt as last written */
  engine_recorder rec;            /* engine_set_recorder; any hook may be NULL */
  bool recording;
  /* Injection (engine_inject.c): the interrupt compared in every cycle, acks, resets */
  pmmu_request last_req, prev_req; /* the latest two requests: interrupt records name the */
  uint64_t last_accept;            /* latest accepted before the cycle (as a trace does) */
  bool irq_cycle_bad;              /* the interrupt outputs differed in the last cycle compared */
  bool irq_cycle_differs;          /* ... in a cycle of the operation under way */
  bool any_ack;
  uint64_t last_ack, acks, resets;
  uint64_t reset_at; /* reset in this cycle inside the next operation (UINT64_MAX: none) */
  bool lost;         /* that reset came before the operation's end */
  txn_log load_log;  /* rtl alone: the last PDPTE load's reads, for the observer */
  txn_log rtl_log;   /* the RTL's accesses of the request under way (kept: no allocation) */
  irq_cache irq;     /* the model's interrupt timeline as inject_irq_cycle last read it */
};

static bool check_interrupt(engine_t *e, bool force);
static void irq_note(engine_t *e, uint64_t from);
static uint64_t inject_irq_cycle(void *ctx, uint64_t cycle, const pmmu_interrupt_state *rtl);
static bool inject_take_irq(engine_t *e);

/* ---- Names --------------------------------------------------------------------------- */

static const char *const kind_names[] = {"model", "rtl", "both"};

bool engine_kind_parse(const char *name, engine_kind *out) {
  for (unsigned i = 0; i <= ENGINE_BOTH; i++) {
    if (strcmp(name, kind_names[i]) == 0) {
      *out = (engine_kind)i;
      return true;
    }
  }
  return false;
}

const char *engine_kind_name(engine_kind k) { return kind_names[k]; }

const char *engine_reg_name(engine_reg r) {
  static const char *const names[] = {"cr0", "cr3", "cr4", "efer"};
  return names[r];
}

/* ---- Transaction logs -------------------------------------------------------------------- */

void txn_log_clear(txn_log *log) { log->n = 0; }

void txn_log_push(txn_log *log, const pmmu_mem_txn *t) {
  if (log->n == log->cap) {
    unsigned cap = log->cap ? 2 * log->cap : 16;
    pmmu_mem_txn *grown = realloc(log->v, cap * sizeof *grown);
    if (!grown) return; /* the comparison will report the shorter log */
    log->v = grown;
    log->cap = cap;
  }
  log->v[log->n++] = *t;
}

void txn_log_free(txn_log *log) {
  free(log->v);
  memset(log, 0, sizeof *log);
}

/* ---- The model half ------------------------------------------------------------------------ */

static bool model_read(void *ctx, uint64_t pa, unsigned size, uint64_t *value) {
  model_side *s = ctx;
  pmmu_mem_ops ops = pmem_ops(s->mem);
  return ops.read(ops.ctx, pa, size, value);
}

static bool model_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expected, uint64_t desired,
                      uint64_t *old) {
  model_side *s = ctx;
  pmmu_mem_ops ops = pmem_ops(s->mem);
  return ops.cas(ops.ctx, pa, size, expected, desired, old);
}

static void model_timing(void *ctx, pmmu_mem_op op, uint64_t pa, unsigned size, uint64_t present,
                         uint64_t *accept, uint64_t *response) {
  model_side *s = ctx;
  pmmu_mem_ops ops = pmem_ops(s->mem);
  ops.timing(ops.ctx, op, pa, size, present, accept, response);
}

static void model_observe(void *ctx, const pmmu_mem_txn *txn) {
  txn_log_push(&((model_side *)ctx)->log, txn);
}

static void model_side_destroy(model_side *s) {
  if (!s) return;
  pmmu_destroy(s->m);
  pmem_destroy(s->mem);
  txn_log_free(&s->log);
  free(s);
}

static model_side *model_side_create(const engine_setup *setup, tb_error *err) {
  model_side *s = calloc(1, sizeof *s);
  if (!s || !(s->mem = pmem_create())) {
    free(s);
    tb_fail(err, TB_E_NOMEM, "out of memory");
    return NULL;
  }
  pmem_set_timing(s->mem, &setup->timing);
  pmmu_config cfg;
  pmmu_config_init(&cfg);
  cfg.tlb_sets = setup->tlb_sets;
  cfg.tlb_ways = setup->tlb_ways;
  cfg.tlb_large = setup->tlb_large;
  cfg.policy = setup->policy;
  cfg.mem = (pmmu_mem_ops){.read = model_read,
                           .cas = model_cas,
                           .timing = model_timing,
                           .observe = model_observe,
                           .ctx = s};
  pmmu_error made = pmmu_create(&cfg, &s->m);
  if (made != PMMU_E_OK) {
    bool bad = made == PMMU_E_CONFIG;
    tb_fail(err, bad ? TB_E_CONFIG : TB_E_NOMEM, "%s",
            bad ? pmmu_config_check(&cfg) : pmmu_strerror(made));
    model_side_destroy(s);
    return NULL;
  }
  return s;
}

/* ---- Life cycle ----------------------------------------------------------------------------- */

#ifndef PMMU_HAVE_RTL
rtl_side *rtl_side_create(const engine_setup *setup, const char *mutant, tb_error *err) {
  (void)setup;
  (void)mutant;
  tb_fail(err, TB_E_UNAVAILABLE, "this pmmu was built without the RTL (Verilator was not found)");
  return NULL;
}
void rtl_side_destroy(rtl_side *r) { (void)r; }
pmem_t *rtl_side_mem(rtl_side *r) {
  (void)r;
  return NULL;
}
int rtl_side_translate(rtl_side *r, const pmmu_request *q, engine_flush *f, pmmu_response *o,
                       txn_log *l) {
  (void)r;
  (void)q;
  (void)f;
  (void)o;
  (void)l;
  return TB_E_UNAVAILABLE;
}
int rtl_side_control(rtl_side *r, const pmmu_control *c, int k, uint32_t la, uint64_t cycle) {
  (void)r;
  (void)c;
  (void)k;
  (void)la;
  (void)cycle;
  return TB_E_UNAVAILABLE;
}
int rtl_side_load_pdptes(rtl_side *r, const pmmu_control *n, const pmmu_control *o, int k,
                         uint64_t cycle, uint64_t *d, bool *gp, txn_log *l) {
  (void)r;
  (void)n;
  (void)o;
  (void)k;
  (void)cycle;
  (void)d;
  (void)gp;
  (void)l;
  return TB_E_UNAVAILABLE;
}
uint64_t rtl_side_ready_cycle(const rtl_side *r) {
  (void)r;
  return 0;
}
void rtl_side_watch_interrupt(rtl_side *r, uint64_t c) {
  (void)r;
  (void)c;
}
bool rtl_side_watched_interrupt(rtl_side *r, bool force, pmmu_interrupt_state *out) {
  (void)r;
  (void)force;
  (void)out;
  return false;
}
int rtl_side_errors(const rtl_side *r) {
  (void)r;
  return 0;
}
void rtl_side_set_trace(rtl_side *r, txtrace_writer *w) {
  (void)r;
  (void)w;
}
uint64_t rtl_side_cycle(const rtl_side *r) {
  (void)r;
  return 0;
}
void rtl_side_sync(rtl_side *r, uint64_t cycle) {
  (void)r;
  (void)cycle;
}
uint64_t rtl_side_trace_end(rtl_side *r) {
  (void)r;
  return 0;
}
void rtl_side_set_irq_hook(rtl_side *r, rtl_irq_hook fn, void *ctx) {
  (void)r;
  (void)fn;
  (void)ctx;
}
void rtl_side_irq_recheck(rtl_side *r) { (void)r; }
int rtl_side_ack(rtl_side *r, uint64_t cycle) {
  (void)r;
  (void)cycle;
  return TB_E_UNAVAILABLE;
}
int rtl_side_interrupt(rtl_side *r, uint64_t cycle, pmmu_interrupt_state *out) {
  (void)r;
  (void)cycle;
  (void)out;
  return TB_E_UNAVAILABLE;
}
void rtl_side_arm_reset(rtl_side *r, uint64_t cycle) {
  (void)r;
  (void)cycle;
}
void rtl_side_arm_early(rtl_side *r, const pmmu_request *req) {
  (void)r;
  (void)req;
}
bool rtl_side_take_reset(rtl_side *r) {
  (void)r;
  return false;
}
int rtl_side_reset(rtl_side *r, uint64_t cycle) {
  (void)r;
  (void)cycle;
  return TB_E_UNAVAILABLE;
}
bool rtl_side_set_port_log(rtl_side *r, FILE *f) {
  (void)r;
  (void)f;
  return false;
}
#endif

engine_t *engine_create_mutant(engine_kind kind, const engine_setup *setup, const char *mutant,
                               tb_error *err) {
  engine_t *e = calloc(1, sizeof *e);
  if (!e) {
    tb_fail(err, TB_E_NOMEM, "out of memory");
    return NULL;
  }
  e->kind = kind;
  e->setup = *setup;
  e->ctl.cr0 = PMMU_CR0_PG;
  if (kind != ENGINE_RTL && !(e->model = model_side_create(setup, err))) {
    engine_destroy(e);
    return NULL;
  }
  if (kind != ENGINE_MODEL && !(e->rtl = rtl_side_create(setup, mutant, err))) {
    engine_destroy(e);
    return NULL;
  }
  e->reset_at = UINT64_MAX;
  if (e->model && e->rtl) rtl_side_set_irq_hook(e->rtl, inject_irq_cycle, e);
  const engine_observer *obs = setup->observer;
  if (obs && obs->created) obs->created(obs->ctx, kind, setup);
  return e;
}

engine_t *engine_create(engine_kind kind, const engine_setup *setup, tb_error *err) {
  return engine_create_mutant(kind, setup, NULL, err);
}

void engine_destroy(engine_t *e) {
  if (!e) return;
  if (e->recording && e->rec.done && e->model) {
    pmmu_stats st;
    pmmu_get_stats(e->model->m, &st);
    e->rec.done(e->rec.ctx, &st);
  }
  txtrace_abort(e->trace);
  model_side_destroy(e->model);
  rtl_side_destroy(e->rtl);
  txn_log_free(&e->load_log);
  txn_log_free(&e->rtl_log);
  free(e->diffs);
  free(e);
}

const tb_error *engine_error(const engine_t *e) { return &e->err; }

void engine_set_recorder(engine_t *e, const engine_recorder *rec) {
  e->recording = rec != NULL;
  if (!rec) return;
  e->rec = *rec;
  if (rec->setup) rec->setup(rec->ctx, &e->setup);
}

/* An operation's status: errors are kept for engine_error(). */
static int status(engine_t *e, int code, const char *what) {
  if (code < 0) tb_fail(&e->err, code, "%s: %s", what, tb_status_name(code));
  return code;
}

const engine_mismatch *engine_mismatches(const engine_t *e, size_t *n) {
  *n = e->ndiffs;
  return e->ndiffs ? e->diffs : NULL;
}

void engine_clear_mismatches(engine_t *e) { e->ndiffs = 0; }

uint64_t engine_mismatch_count(const engine_t *e) { return e->reports; }

int engine_finish(engine_t *e) {
  bool differs = e->rtl && check_interrupt(e, true);
  return inject_take_irq(e) || differs ? TB_MISMATCH : TB_OK;
}

int engine_rtl_errors(const engine_t *e) { return e->rtl ? rtl_side_errors(e->rtl) : 0; }

/* ---- Lockstep comparison -----------------------------------------------------------------
 *
 * A comparison (one request, one interrupt, one PDPTE load) appends a record per field that
 * differs, all with the same report number. */

typedef struct diff {
  engine_t *e;
  engine_mismatch proto; /* what every record of this comparison shares */
  bool any;
} diff;

static diff diff_begin(engine_t *e, engine_diff_op op) {
  diff d = {.e = e};
  d.proto.op = op;
  d.proto.report = e->reports + 1;
  d.proto.request = e->requests;
  return d;
}

static void diff_request(diff *d, const pmmu_request *req) {
  d->proto.req = *req;
  d->proto.cycle = req->cycle;
}

static engine_mismatch *differ(diff *d, const char *field) {
  engine_t *e = d->e;
  d->any = true; /* even when the record cannot be kept: the operation still differed */
  return engine_mismatch_append(&e->diffs, &e->ndiffs, &e->cap, &d->proto, field);
}

static void differ_u64(diff *d, const char *field, uint64_t model, uint64_t rtl) {
  if (model == rtl) return;
  engine_mismatch *m = differ(d, field);
  if (!m) return;
  m->model = model;
  m->rtl = rtl;
}

/* TB_MISMATCH when anything differed. */
static int diff_end(diff *d) {
  if (!d->any) return TB_OK;
  d->e->reports++;
  return TB_MISMATCH;
}

static bool same_txn(const pmmu_mem_txn *a, const pmmu_mem_txn *b) {
  return a->op == b->op && a->pa == b->pa && a->size == b->size && a->data == b->data &&
         a->bus_error == b->bus_error && a->present_cycle == b->present_cycle &&
         a->accept_cycle == b->accept_cycle && a->response_cycle == b->response_cycle &&
         (a->op != PMMU_MEM_CAS || (a->expected == b->expected && a->desired == b->desired));
}

static void compare_txns(diff *d, const txn_log *ml, const txn_log *rl) {
  unsigned n = ml->n > rl->n ? ml->n : rl->n;
  for (unsigned i = 0; i < n; i++) {
    const pmmu_mem_txn *a = i < ml->n ? &ml->v[i] : NULL, *b = i < rl->n ? &rl->v[i] : NULL;
    if (a && b && same_txn(a, b)) continue;
    engine_mismatch *m = differ(d, "memory access");
    if (!m) continue;
    m->txn = i + 1;
    m->has_model_txn = a != NULL;
    m->has_rtl_txn = b != NULL;
    if (a) m->model_txn = *a;
    if (b) m->rtl_txn = *b;
  }
}

/* Whether compare() would find no difference: checked first, so that an agreeing request (all
 * but a failing run's) builds no diff record. The same fields as compare() below. */
static bool same_request(const pmmu_response *m, const pmmu_response *r, const txn_log *ml,
                         const txn_log *rl) {
  if (m->outcome != r->outcome || m->tlb != r->tlb || m->accept_cycle != r->accept_cycle ||
      m->response_cycle != r->response_cycle || ml->n != rl->n)
    return false;
  if (m->outcome == PMMU_OK && (m->pa != r->pa || m->attr != r->attr)) return false;
  if (m->outcome == PMMU_PAGE_FAULT && m->error_code != r->error_code) return false;
  for (unsigned i = 0; i < ml->n; i++)
    if (!same_txn(&ml->v[i], &rl->v[i])) return false;
  return true;
}

static void watch_fault(engine_t *e, const pmmu_request *req, const pmmu_response *m,
                        const pmmu_response *r) {
  if (m->outcome == PMMU_PAGE_FAULT || r->outcome == PMMU_PAGE_FAULT) {
    e->irq_pending = true;
    e->irq_request = e->requests;
    e->irq_req = *req;
    pmmu_get_interrupt(e->model->m, &e->irq_want);
    rtl_side_watch_interrupt(e->rtl, r->response_cycle);
  }
}

static int compare(engine_t *e, const pmmu_request *req, const pmmu_response *m,
                   const pmmu_response *r, const txn_log *ml, const txn_log *rl) {
  if (same_request(m, r, ml, rl)) {
    watch_fault(e, req, m, r);
    return TB_OK;
  }
  diff d = diff_begin(e, ENGINE_DIFF_REQUEST);
  diff_request(&d, req);
  differ_u64(&d, "outcome", m->outcome, r->outcome);
  if (m->outcome == PMMU_OK && r->outcome == PMMU_OK) {
    differ_u64(&d, "pa", m->pa, r->pa);
    differ_u64(&d, "attr (pwt|pcd<<1|pat<<2)", m->attr, r->attr);
  }
  if (m->outcome == PMMU_PAGE_FAULT && r->outcome == PMMU_PAGE_FAULT)
    differ_u64(&d, "error code", m->error_code, r->error_code);
  differ_u64(&d, "tlb", m->tlb, r->tlb);
  differ_u64(&d, "accept cycle", m->accept_cycle, r->accept_cycle);
  differ_u64(&d, "response cycle", m->response_cycle, r->response_cycle);
  compare_txns(&d, ml, rl);
  watch_fault(e, req, m, r);
  return diff_end(&d);
}

/* The interrupt of the last #PF, once the RTL has shown it in R + 1 (T10): true when it
 * differs. */
static bool check_interrupt(engine_t *e, bool force) {
  pmmu_interrupt_state got;
  if (!e->irq_pending || !rtl_side_watched_interrupt(e->rtl, force, &got)) return false;
  e->irq_pending = false;
  diff d = diff_begin(e, ENGINE_DIFF_INTERRUPT);
  d.proto.request = e->irq_request;
  diff_request(&d, &e->irq_req);
  differ_u64(&d, "interrupt line (R+1)", e->irq_want.pending, got.pending);
  differ_u64(&d, "latched CR2 (R+1)", e->irq_want.cr2, got.cr2);
  differ_u64(&d, "latched error code (R+1)", e->irq_want.error_code, got.error_code);
  return diff_end(&d) == TB_MISMATCH;
}

/* An operation's status once the interrupt of the previous #PF was compared before it: a
 * difference there makes an otherwise clean operation TB_MISMATCH. */
static int with_interrupt(int st, bool irq_differs) {
  return st == TB_OK && irq_differs ? TB_MISMATCH : st;
}

/* The RTL gave no response: a record of its own (model: the model's response cycle, 0
 * without a model; rtl: the cycle it gave up in). */
static int hang(engine_t *e, diff *d, const char *field, uint64_t model, uint64_t gave_up) {
  engine_mismatch *m = differ(d, field);
  if (m) {
    m->hang = true;
    m->model = model;
    m->rtl = gave_up;
  }
  diff_end(d);
  tb_fail(&e->err, TB_HANG,
          "the RTL gave no %s within %u cycles of its own (its memory's waits not counted)"
          " and %u memory accesses",
          field, ENGINE_HANG_CYCLES, ENGINE_HANG_ACCESSES);
  return TB_HANG;
}

/* ---- Transaction traces ------------------------------------------------------------------
 *
 * rtl and both: the RTL half's monitor writes what the ports did (engine_rtl.c); here only the
 * testbench's own inputs are written, once the RTL has finished every cycle before them. model:
 * everything is written here, from the model's results, in the same order. */

static void trace_put(engine_t *e, const txtrace_event *ev) {
  if (e->trace_hold && ev->cycle >= e->trace_held.cycle) {
    txtrace_write(e->trace, &e->trace_held);
    e->trace_hold = false;
  }
  txtrace_write(e->trace, ev);
}

/* An input of the testbench's (register write, INVLPG, memory write) in `ev->cycle`. */
static void trace_input(engine_t *e, txtrace_event *ev) {
  if (!e->trace) return;
  if (e->rtl) rtl_side_sync(e->rtl, ev->cycle);
  trace_put(e, ev);
}

static void trace_txn(engine_t *e, const pmmu_mem_txn *t) {
  txtrace_event ev = {.kind = TXE_WALK, .cycle = t->response_cycle, .u.walk = *t};
  trace_put(e, &ev);
}

/* The model's request: the request in A, its memory transactions and the flush given during
 * it in cycle order, the response in R, and the interrupt's change in R + 1 (held until no
 * event of an earlier cycle can follow). */
static void trace_model_request(engine_t *e, const pmmu_request *req, const pmmu_response *out,
                                const engine_flush *flush) {
  if (!e->trace || e->rtl) return;
  txtrace_event ev = {.kind = TXE_REQ, .cycle = out->accept_cycle};
  ev.u.req.presented = req->cycle;
  ev.u.req.la = req->la;
  ev.u.req.access = req->access;
  ev.u.req.priv = req->priv;
  ev.u.req.ac = req->ac;
  trace_put(e, &ev);
  txtrace_event fl = {.kind = TXE_FLUSH};
  if (flush)
    fl = (txtrace_event){
        .kind = TXE_FLUSH, .cycle = flush->cycle, .u.flush = {flush->kind, flush->la}};
  const txn_log *log = &e->model->log;
  for (unsigned i = 0; i < log->n; i++) {
    if (flush && fl.cycle <= log->v[i].response_cycle) {
      trace_put(e, &fl);
      flush = NULL;
    }
    trace_txn(e, &log->v[i]);
  }
  if (flush && fl.cycle <= out->response_cycle) {
    trace_put(e, &fl);
    flush = NULL;
  }
  ev = (txtrace_event){.kind = TXE_RESP, .cycle = out->response_cycle};
  ev.u.resp.outcome = out->outcome;
  ev.u.resp.pa = out->pa;
  ev.u.resp.attr = out->attr;
  ev.u.resp.ec = out->error_code;
  ev.u.resp.tlb = out->tlb;
  trace_put(e, &ev);
  pmmu_interrupt_state irq;
  pmmu_get_interrupt(e->model->m, &irq);
  if (irq.pending != e->trace_irq.pending || irq.cr2 != e->trace_irq.cr2 ||
      irq.error_code != e->trace_irq.error_code) {
    if (e->trace_hold) txtrace_write(e->trace, &e->trace_held);
    e->trace_held =
        (txtrace_event){.kind = TXE_IRQ, .cycle = out->response_cycle + 1, .u.irq = irq};
    e->trace_hold = true;
    e->trace_irq = irq;
  }
  if (flush) trace_put(e, &fl); /* given after the response */
}

/* The model's ack in `cycle` (at or after every event written), and the line's fall in
 * cycle + 1 if it falls (held like the interrupt of R + 1). The RTL's trace records acks from
 * its ports. */
static void trace_model_ack(engine_t *e, uint64_t cycle) {
  txtrace_event ev = {.kind = TXE_ACK, .cycle = cycle};
  trace_put(e, &ev);
  pmmu_interrupt_state irq;
  pmmu_interrupt_at(e->model->m, cycle + 1, &irq);
  if (irq.pending != e->trace_irq.pending || irq.cr2 != e->trace_irq.cr2 ||
      irq.error_code != e->trace_irq.error_code) {
    if (e->trace_hold) txtrace_write(e->trace, &e->trace_held);
    e->trace_held = (txtrace_event){.kind = TXE_IRQ, .cycle = cycle + 1, .u.irq = irq};
    e->trace_hold = true;
    e->trace_irq = irq;
  }
}

/* The model's PDPTE load (after the register write's event): its reads and its end in D. */
static void trace_model_load(engine_t *e, const pmmu_reg_result *res) {
  if (!e->trace || e->rtl || !(res->pdptes_loaded || res->gp_fault)) return;
  for (unsigned i = 0; i < e->model->log.n; i++) trace_txn(e, &e->model->log.v[i]);
  txtrace_event ev = {.kind = TXE_PDPTE, .cycle = res->done_cycle, .u.gp = res->gp_fault};
  trace_put(e, &ev);
}

int engine_trace_open(engine_t *e, const char *path, const char *command) {
  pmmu_config defaults;
  pmmu_config_init(&defaults);
  txtrace_config cfg = {.tlb_sets = e->setup.tlb_sets,
                        .tlb_ways = e->setup.tlb_ways,
                        .tlb_large = e->setup.tlb_large,
                        .policy = e->setup.policy,
                        .lfsr_seed = defaults.lfsr_seed,
                        .timing = e->setup.timing};
  e->trace = txtrace_open(path, &cfg, e->rtl ? "rtl" : "model", command, &e->err);
  if (!e->trace) return e->err.code;
  if (e->rtl) rtl_side_set_trace(e->rtl, e->trace);
  return TB_OK;
}

int engine_set_port_log(engine_t *e, FILE *f) {
  if (!e->rtl) return tb_fail(&e->err, TB_E_UNAVAILABLE, "the port log needs the RTL engine");
  if (!rtl_side_set_port_log(e->rtl, f))
    return tb_fail(&e->err, TB_E_ORDER, "the port log must start before the first operation");
  return TB_OK;
}

int engine_trace_close(engine_t *e, bool keep) {
  txtrace_writer *w = e->trace;
  if (!w) return TB_OK;
  e->trace = NULL;
  if (!keep) {
    if (e->rtl) rtl_side_set_trace(e->rtl, NULL);
    txtrace_abort(w);
    return TB_OK;
  }
  uint64_t end = 0;
  if (e->rtl) {
    /* T10: the interrupt of a last #PF shows in R + 1: the trace covers that cycle */
    rtl_side_sync(e->rtl, rtl_side_ready_cycle(e->rtl) + 1);
    end = rtl_side_trace_end(e->rtl);
  } else if (e->trace_hold) {
    txtrace_write(w, &e->trace_held);
    end = e->trace_held.cycle;
  }
  e->trace_hold = false;
  return txtrace_close(w, end, &e->err);
}

/* ---- Injection: the interrupt in every cycle, resets inside an operation ----------------
 *
 * Lockstep compares the interrupt outputs (pf_irq, pf_cr2, pf_ec) in every cycle the RTL
 * finishes with the model's timeline (pmmu_interrupt_at, timing.md T10), not only in R + 1.
 * A run of differing cycles is one comparison (its first cycle), named after the latest
 * request. */

/* A fault or an ack was given to the model: its interrupt outputs may differ from cycle `p` on
 * (the RTL half calls inject_irq_cycle again in its next cycle). */
static void irq_note(engine_t *e, uint64_t p) {
  irq_cache *c = &e->irq;
  if (e->rtl) rtl_side_irq_recheck(e->rtl);
  if (c->off) return;
  if (c->valid && p <= c->from) c->valid = false;
  else if (c->valid && p < c->until) c->until = p;
  if (c->n == IRQ_POINTS) { /* the points already passed are read into `want`: drop them */
    unsigned k = 0;
    for (unsigned i = 0; i < c->n; i++)
      if (!c->valid || c->point[i] > c->from) c->point[k++] = c->point[i];
    c->n = k;
  }
  if (c->n == IRQ_POINTS) {
    c->off = true;
    c->valid = false;
    return;
  }
  c->point[c->n++] = p;
}

/* The model's interrupt outputs in `cycle` (pmmu_interrupt_at), through the cache. */
static void irq_want(engine_t *e, uint64_t cycle, pmmu_interrupt_state *want) {
  irq_cache *c = &e->irq;
  if (c->valid && cycle >= c->from && cycle < c->until) {
    *want = c->want;
    return;
  }
  pmmu_interrupt_at(e->model->m, cycle, want);
  if (c->off) return;
  if (c->valid && cycle < c->from) { /* back in time without a reset: no caching */
    c->off = true;
    c->valid = false;
    return;
  }
  c->want = *want;
  c->from = cycle;
  c->until = UINT64_MAX;
  unsigned k = 0;
  for (unsigned i = 0; i < c->n; i++) {
    if (c->point[i] <= cycle) continue; /* in effect: pmmu_interrupt_at has read it */
    if (c->point[i] < c->until) c->until = c->point[i];
    c->point[k++] = c->point[i];
  }
  c->n = k;
  c->valid = true;
}

/* Returns the first cycle in which the model's expectation may change (rtl_irq_hook): until
 * then, the same RTL outputs would give the same result (agreement, or the run of differing
 * cycles already recorded). */
static uint64_t inject_irq_cycle(void *ctx, uint64_t cycle, const pmmu_interrupt_state *rtl) {
  engine_t *e = ctx;
  pmmu_interrupt_state want;
  irq_want(e, cycle, &want);
  uint64_t until = e->irq.valid ? e->irq.until : cycle + 1;
  if (want.pending == rtl->pending && want.cr2 == rtl->cr2 && want.error_code == rtl->error_code) {
    e->irq_cycle_bad = false;
    return until;
  }
  if (e->irq_cycle_bad) return until;
  e->irq_cycle_bad = true;
  e->irq_cycle_differs = true;
  diff d = diff_begin(e, ENGINE_DIFF_INTERRUPT);
  bool latest = e->requests && cycle > e->last_accept; /* else the one before it */
  diff_request(&d, latest ? &e->last_req : &e->prev_req);
  d.proto.request = latest ? e->requests : e->requests ? e->requests - 1 : 0;
  d.proto.irq_cycle = cycle;
  differ_u64(&d, "interrupt line", want.pending, rtl->pending);
  differ_u64(&d, "latched CR2", want.cr2, rtl->cr2);
  differ_u64(&d, "latched error code", want.error_code, rtl->error_code);
  diff_end(&d);
  return until;
}

/* Whether the interrupt differed in a cycle since the last call. */
static bool inject_take_irq(engine_t *e) {
  bool differs = e->irq_cycle_differs;
  e->irq_cycle_differs = false;
  return differs;
}

/* Both halves back to reset after rst_ni was low in a cycle (hardware-interface.md, "Clock
 * and reset"): the model's reset state (TLB empty, control registers and the interrupt latch
 * cleared, cycles from 0), the control inputs at their reset values, and the memory's timing
 * stream restarted from its seed in both halves (the walk the reset cut short drew fewer
 * timings in the RTL half than the model's whole walk did). Memory keeps its contents. */
static void inject_reset_halves(engine_t *e) {
  if (e->model) {
    pmmu_reset(e->model->m);
    memset(&e->irq, 0, sizeof e->irq); /* the timeline is empty, cycles count from 0 again */
    if (e->rtl) rtl_side_irq_recheck(e->rtl);
    pmem_set_timing(e->model->mem, pmem_get_timing(e->model->mem));
  }
  if (e->rtl) pmem_set_timing(rtl_side_mem(e->rtl), pmem_get_timing(rtl_side_mem(e->rtl)));
  memset(&e->ctl, 0, sizeof e->ctl);
  e->ctl.cr0 = PMMU_CR0_PG;
  e->irq_pending = false;
  e->irq_cycle_bad = false;
  e->any_ack = false;
  e->resets++;
}

/* The model computed a whole walk; the reset in cycle X = e->reset_at cut it short: the memory
 * made only the accesses it accepted by X. The compare-and-swaps it would have accepted later
 * are undone in the model's memory, newest first (a successful one wrote `desired` over
 * `data`). */
static void inject_truncate_model(engine_t *e, uint64_t x) {
  const txn_log *ml = &e->model->log;
  for (unsigned i = ml->n; i-- > 0;) {
    const pmmu_mem_txn *t = &ml->v[i];
    if (t->accept_cycle <= x || t->op != PMMU_MEM_CAS || t->bus_error) continue;
    if (t->data == t->expected) pmem_write(e->model->mem, t->pa, t->size, t->data);
  }
}

/* The accesses answered by cycle X in both halves, compared. */
static void inject_compare_until(diff *d, const txn_log *ml, const txn_log *rl, uint64_t x) {
  txn_log until = *ml;
  until.n = 0;
  while (until.n < ml->n && ml->v[until.n].response_cycle <= x) until.n++;
  compare_txns(d, &until, rl);
}

/* A reset in X stopped the RTL before the response of `req`: the model's walk is cut at X,
 * the accesses both answered by X compared, and both halves reset. *out is the model's response
 * as it would have been (zero without a model). */
static int inject_lost_request(engine_t *e, const pmmu_request *req, pmmu_response *out,
                               const txn_log *rtl_log) {
  uint64_t x = e->reset_at;
  int st = TB_OK;
  e->lost = true;
  if (e->model) {
    diff d = diff_begin(e, ENGINE_DIFF_REQUEST);
    diff_request(&d, req);
    if (out->response_cycle <= x) /* the model answered by X, the RTL did not */
      differ_u64(&d, "response cycle", out->response_cycle, x + 1);
    inject_compare_until(&d, &e->model->log, rtl_log, x);
    st = diff_end(&d);
    inject_truncate_model(e, x);
  } else {
    memset(out, 0, sizeof *out);
  }
  rtl_side_take_reset(e->rtl);
  inject_reset_halves(e);
  return st;
}

/* The same for a PDPTE load (reads only: nothing to undo). */
static int inject_lost_load(engine_t *e, diff *d, const txn_log *rl) {
  uint64_t x = e->reset_at;
  e->lost = true;
  if (e->model) inject_compare_until(d, &e->model->log, rl, x);
  rtl_side_take_reset(e->rtl);
  inject_reset_halves(e);
  return diff_end(d);
}

/* ---- Operations ----------------------------------------------------------------------------- */

/* A request whose response differs usually also makes the interrupt differ in the cycles of
 * its walk (the model's #PF raises the line in R + 1 while the RTL still walks, or the other
 * way round), and the per-cycle check records that first. The response is the cause: its
 * comparison is put first among this request's records, so that the first report names
 * what the transaction trace checker and the DPI scoreboard, which compare at the response,
 * name too. Records from `first` on are reordered, then their reports renumbered. */
static void response_first(engine_t *e, size_t first, uint64_t reports_before) {
  size_t n = e->ndiffs - first, k = 0;
  if (n < 2) return;
  engine_mismatch *v = malloc(n * sizeof *v);
  if (!v) return; /* the order of the reports is all that is lost */
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = first; i < e->ndiffs; i++)
      if ((e->diffs[i].op == ENGINE_DIFF_INTERRUPT) == (pass == 1)) v[k++] = e->diffs[i];
  uint64_t next = reports_before, last_old = 0;
  for (size_t i = 0; i < n; i++) {
    if (i == 0 || v[i].report != last_old) next++;
    last_old = v[i].report;
    v[i].report = next;
  }
  memcpy(e->diffs + first, v, n * sizeof *v);
  free(v);
}

static engine_model_tap model_tap;
static void *model_tap_ctx;

void engine_set_model_tap(engine_model_tap fn, void *ctx) {
  model_tap = fn;
  model_tap_ctx = ctx;
}

/* The observer (engine_setup.observer), if any, told of an operation that gave a result. */
static void observe(engine_t *e, engine_event *ev, const txn_log *log) {
  const engine_observer *obs = e->setup.observer;
  if (!obs || !obs->event) return;
  if (log) {
    ev->txns = log->v;
    ev->ntxns = log->n;
  }
  obs->event(obs->ctx, e, ev);
}

static int translate(engine_t *e, const pmmu_request *req, engine_flush *flush,
                     pmmu_response *out) {
  pmmu_response r;
  engine_flush rtl_flush;
  txn_log *rtl_log = &e->rtl_log;
  int st = TB_OK;
  bool irq_differs = e->rtl && check_interrupt(e, false);
  size_t first_diff = e->ndiffs; /* this request's records start here */
  uint64_t reports_before = e->reports;
  e->requests++;
  if (e->recording && e->rec.translate) e->rec.translate(e->rec.ctx, req, flush);
  const engine_observer *obs = e->setup.observer;
  if (obs && obs->before) obs->before(obs->ctx, e, req);
  engine_event ev = {.kind = ENGINE_EV_TRANSLATE, .ctl = e->ctl, .req = req, .resp = out};
  if (e->model) {
    txn_log_clear(&e->model->log);
    int err = pmmu_translate(e->model->m, req, out);
    if (!err && out->outcome == PMMU_PAGE_FAULT) irq_note(e, out->response_cycle + 1);
    if (!err && flush) {
      flush->cycle = out->accept_cycle + 1 + flush->after;
      err = pmmu_flush(e->model->m, flush->kind, flush->la, flush->cycle);
    }
    if (err) return status(e, err, "the model refused the request");
    e->prev_req = e->last_req;
    e->last_req = *req;
    e->last_accept = out->accept_cycle;
    trace_model_request(e, req, out, flush);
    if (model_tap && e->rtl) model_tap(model_tap_ctx, req, out, e->model->log.v, e->model->log.n);
  }
  if (e->rtl) {
    if (flush) rtl_flush = *flush;
    if (e->reset_at != UINT64_MAX) rtl_side_arm_reset(e->rtl, e->reset_at);
    st = rtl_side_translate(e->rtl, req, flush ? &rtl_flush : NULL, e->model ? &r : out, rtl_log);
    if (st == RTL_RESET) {
      st = inject_lost_request(e, req, out, rtl_log);
    } else if (st == TB_HANG) {
      diff d = diff_begin(e, ENGINE_DIFF_REQUEST);
      diff_request(&d, req);
      st = hang(e, &d, "response", e->model ? out->response_cycle : 0,
                e->model ? r.response_cycle : out->response_cycle);
    } else if (st == TB_OK && e->model) {
      st = compare(e, req, out, &r, &e->model->log, rtl_log);
      if (st == TB_MISMATCH) response_first(e, first_diff, reports_before);
    }
    if (st == TB_OK && !e->model && flush) *flush = rtl_flush;
    if (engine_accepted(st) && !e->lost && !e->model) {
      ev.flush = flush;
      observe(e, &ev, rtl_log);
    }
  }
  bool cut = !e->rtl && e->reset_at != UINT64_MAX && out->response_cycle > e->reset_at;
  if (e->model && engine_accepted(st) && !e->lost && !cut) {
    ev.flush = flush;
    observe(e, &ev, &e->model->log);
  }
  irq_differs = inject_take_irq(e) || irq_differs;
  return status(e, with_interrupt(st, irq_differs), "the RTL refused the request");
}

int engine_translate(engine_t *e, const pmmu_request *req, pmmu_response *out) {
  return translate(e, req, NULL, out);
}

int engine_translate_flush(engine_t *e, const pmmu_request *req, engine_flush *flush,
                           pmmu_response *out) {
  return translate(e, req, flush, out);
}

/* The flush a register write implies (x86-paging.md section 8), as the CPU's side of the
 * block's command port: -1 for none. The RTL receives it; the model derives its own. */
static int implied_flush(engine_reg reg, const pmmu_control *old, const pmmu_control *new) {
  const uint32_t cr4_bits = PMMU_CR4_PGE | PMMU_CR4_PSE | PMMU_CR4_PAE | PMMU_CR4_SMEP;
  if (((old->cr0 ^ new->cr0) & PMMU_CR0_PG) || ((old->cr4 ^ new->cr4) & cr4_bits) ||
      ((old->efer ^ new->efer) & PMMU_EFER_NXE))
    return PMMU_FLUSH_ALL;
  return reg == REG_CR3 ? PMMU_FLUSH_NONGLOBAL : -1;
}

/* Does this register write load the PAE PDPTE registers (x86-paging.md section 4)? A CR3
 * write with PAE paging in use; a CR0/CR4 write that turns PAE paging on, or changes CR0.PG,
 * CR4.PAE, PSE, PGE or SMEP with PAE paging in use afterwards. */
static bool loads_pdptes(engine_reg reg, const pmmu_control *old, const pmmu_control *new) {
  const uint32_t cr4_bits = PMMU_CR4_PAE | PMMU_CR4_PSE | PMMU_CR4_PGE | PMMU_CR4_SMEP;
  bool after = (new->cr0 &PMMU_CR0_PG) && (new->cr4 &PMMU_CR4_PAE);
  if (!after) return false;
  if (reg == REG_CR3) return true;
  if (reg != REG_CR0 && reg != REG_CR4) return false;
  return ((old->cr0 ^ new->cr0) & PMMU_CR0_PG) || ((old->cr4 ^ new->cr4) & cr4_bits);
}

/* A PDPTE load in lockstep: #GP, done cycle and the four reads. */
static int compare_load(diff *d, const pmmu_reg_result *m, uint64_t rtl_done, bool rtl_gp,
                        const txn_log *ml, const txn_log *rl) {
  differ_u64(d, "#GP(0)", m->gp_fault, rtl_gp);
  differ_u64(d, "done cycle", m->done_cycle, rtl_done);
  compare_txns(d, ml, rl);
  return diff_end(d);
}

/* The register write on the RTL half: a PDPTE load run to its end (and compared), or new
 * control inputs. */
static int write_reg_rtl(engine_t *e, engine_reg reg, uint64_t value, uint64_t cycle, bool load,
                         const pmmu_control *written, const pmmu_control *next,
                         pmmu_reg_result *res) {
  if (!load) {
    if (res->gp_fault) return TB_OK;
    int st = rtl_side_control(e->rtl, next, implied_flush(reg, &e->ctl, next), 0, cycle);
    if (st == TB_OK && !e->model) res->flushed = 0;
    return st;
  }
  /* T11: the load command in `cycle`; the write's flush, if it is done, in D */
  uint64_t done = cycle;
  bool gp = false;
  txn_log rl = {0};
  if (e->reset_at != UINT64_MAX) rtl_side_arm_reset(e->rtl, e->reset_at);
  int st = rtl_side_load_pdptes(e->rtl, written, &e->ctl, implied_flush(reg, &e->ctl, written),
                                cycle, &done, &gp, &rl);
  diff d = diff_begin(e, ENGINE_DIFF_PDPTE_LOAD);
  d.proto.reg = reg;
  d.proto.reg_value = value;
  d.proto.cycle = cycle;
  if (st == RTL_RESET) {
    st = inject_lost_load(e, &d, &rl);
    txn_log_free(&rl);
    return st;
  }
  if (st == TB_HANG) st = hang(e, &d, "done cycle", e->model ? res->done_cycle : 0, done);
  else if (st == TB_OK && e->model) st = compare_load(&d, res, done, gp, &e->model->log, &rl);
  if (!e->model) { /* kept for the observer */
    txn_log_free(&e->load_log);
    e->load_log = rl;
  } else {
    txn_log_free(&rl);
  }
  if (st != TB_OK || e->model) return st;
  res->gp_fault = gp;
  res->pdptes_loaded = !gp;
  res->done_cycle = done;
  res->flushed = 0;
  return TB_OK;
}

/* The register write as write_reg_rtl drives the RTL half with it. */
static void record_write(engine_t *e, engine_reg reg, bool load, const pmmu_control *written,
                         const pmmu_control *next, const pmmu_reg_result *res, uint64_t cycle) {
  const engine_recorder *r = &e->rec;
  if (load && r->load_pdptes)
    r->load_pdptes(r->ctx, written, &e->ctl, implied_flush(reg, &e->ctl, written), cycle);
  else if (!load && !res->gp_fault && r->control)
    r->control(r->ctx, next, implied_flush(reg, &e->ctl, next), 0, cycle);
}

int engine_write_reg(engine_t *e, engine_reg reg, uint64_t value, uint64_t cycle,
                     pmmu_reg_result *out) {
  pmmu_reg_result res = {.done_cycle = cycle};
  pmmu_control next = e->ctl;
  switch (reg) {
  case REG_CR0: next.cr0 = (uint32_t)value; break;
  case REG_CR3: next.cr3 = (uint32_t)value; break;
  case REG_CR4: next.cr4 = (uint32_t)value; break;
  case REG_EFER: next.efer = value; break;
  }
  pmmu_control written = next; /* what the RTL's inputs show during a PDPTE load */
  bool load = loads_pdptes(reg, &e->ctl, &next);
  if (e->model) {
    pmmu_t *m = e->model->m;
    txn_log_clear(&e->model->log);
    int err = reg == REG_CR0   ? pmmu_write_cr0(m, (uint32_t)value, cycle, &res)
              : reg == REG_CR3 ? pmmu_write_cr3(m, (uint32_t)value, cycle, &res)
              : reg == REG_CR4 ? pmmu_write_cr4(m, (uint32_t)value, cycle, &res)
                               : pmmu_write_efer(m, value, cycle, &res);
    if (err) return status(e, err, "the model refused the register write");
    if (!res.gp_fault) pmmu_get_control(m, &next);
    load = res.pdptes_loaded || res.gp_fault; /* the model knows */
  }
  txtrace_event ev = {.kind = TXE_REG, .cycle = cycle, .u.reg = {.reg = reg, .value = value}};
  trace_input(e, &ev);
  if (e->model) trace_model_load(e, &res);
  int st = TB_OK;
  bool irq_differs = e->rtl && check_interrupt(e, false);
  if (e->recording) record_write(e, reg, load, &written, &next, &res, cycle);
  if (e->rtl) st = write_reg_rtl(e, reg, value, cycle, load, &written, &next, &res);
  irq_differs = inject_take_irq(e) || irq_differs;
  if (st == TB_HANG || st < 0) return status(e, st, "the RTL refused the register write");
  if (e->lost) { /* a reset stopped the PDPTE load: all is at reset now */
    if (out) *out = res;
    return with_interrupt(st, irq_differs);
  }
  engine_event oev = {.kind = ENGINE_EV_REG_WRITE,
                      .ctl = e->ctl,
                      .reg = reg,
                      .value = value,
                      .res = &res,
                      .flush_kind = res.gp_fault ? -1 : implied_flush(reg, &e->ctl, &written),
                      .cycle = cycle};
  const txn_log none = {0};
  observe(e, &oev, load ? (e->model ? &e->model->log : &e->load_log) : &none);
  if (!res.gp_fault) e->ctl = next;
  if (out) *out = res;
  return with_interrupt(st, irq_differs); /* TB_OK or TB_MISMATCH: errors returned above */
}

void engine_present_during_load(engine_t *e, const pmmu_request *req) {
  if (e->rtl) rtl_side_arm_early(e->rtl, req);
}

int engine_invlpg(engine_t *e, uint32_t la, uint64_t cycle) {
  if (e->model) {
    int err = pmmu_invlpg(e->model->m, la, cycle);
    if (err) return status(e, err, "the model refused the INVLPG");
  }
  if (e->recording && e->rec.control)
    e->rec.control(e->rec.ctx, &e->ctl, PMMU_FLUSH_PAGE, la, cycle);
  txtrace_event ev = {.kind = TXE_INVLPG, .cycle = cycle, .u.flush = {PMMU_FLUSH_PAGE, la}};
  trace_input(e, &ev);
  engine_event oev = {.kind = ENGINE_EV_INVLPG, .ctl = e->ctl, .la = la, .cycle = cycle};
  if (!e->rtl) {
    observe(e, &oev, NULL);
    return TB_OK;
  }
  bool irq_differs = check_interrupt(e, false);
  int st = rtl_side_control(e->rtl, &e->ctl, PMMU_FLUSH_PAGE, la, cycle);
  if (st == TB_OK) observe(e, &oev, NULL);
  irq_differs = inject_take_irq(e) || irq_differs;
  return status(e, with_interrupt(st, irq_differs), "the RTL refused the INVLPG");
}

uint64_t engine_ready_cycle(const engine_t *e) {
  return e->model ? pmmu_ready_cycle(e->model->m) : rtl_side_ready_cycle(e->rtl);
}

int engine_poke(engine_t *e, uint64_t cycle, uint64_t pa, unsigned size, uint64_t value) {
  pmem_t *mems[2] = {e->model ? e->model->mem : NULL, e->rtl ? rtl_side_mem(e->rtl) : NULL};
  for (unsigned i = 0; i < 2; i++)
    if (mems[i] && cycle < pmem_last_access_cycle(mems[i]))
      return tb_fail(&e->err, TB_E_ORDER,
                     "a poke in cycle %" PRIu64 " comes too late: the memory took a walker "
                     "access in cycle %" PRIu64 " already",
                     cycle, pmem_last_access_cycle(mems[i]));
  for (unsigned i = 0; i < 2; i++)
    if (mems[i] && !pmem_poke(mems[i], cycle, pa, size, value))
      return tb_fail(&e->err, TB_E_NOMEM, "out of memory");
  return TB_OK;
}

int engine_land_pokes(engine_t *e) {
  bool ok = true;
  if (e->model) ok = pmem_land_pokes(e->model->mem);
  if (e->rtl) ok = pmem_land_pokes(rtl_side_mem(e->rtl)) && ok;
  return ok ? TB_OK : tb_fail(&e->err, TB_E_NOMEM, "no host memory for a poke");
}

uint64_t engine_pokes_waiting(const engine_t *e) {
  return pmem_pokes_waiting(e->model ? e->model->mem : rtl_side_mem(e->rtl));
}

int engine_mem_write(engine_t *e, uint64_t pa, unsigned size, uint64_t value) {
  bool ok = true;
  if (engine_land_pokes(e) != TB_OK) return e->err.code;
  if (e->recording && e->rec.mem_write) e->rec.mem_write(e->rec.ctx, pa, size, value);
  if (e->trace) { /* in the cycle the block rests in: after every event written so far */
    uint64_t now = e->rtl ? rtl_side_cycle(e->rtl) : pmmu_ready_cycle(e->model->m);
    if (now < txtrace_last_cycle(e->trace)) now = txtrace_last_cycle(e->trace);
    txtrace_event ev = {
        .kind = TXE_MEM, .cycle = now, .u.mem = {.pa = pa, .value = value, .size = size}};
    trace_input(e, &ev);
  }
  if (e->model) ok = pmem_write(e->model->mem, pa, size, value);
  if (e->rtl) ok = pmem_write(rtl_side_mem(e->rtl), pa, size, value) && ok;
  if (!ok)
    return tb_fail(&e->err, TB_E_NOMEM, "no host memory for physical address 0x%09" PRIx64, pa);
  return TB_OK;
}

uint64_t engine_mem_read(const engine_t *e, uint64_t pa, unsigned size) {
  return e->model ? pmem_read(e->model->mem, pa, size) : pmem_read(rtl_side_mem(e->rtl), pa, size);
}

int engine_mem_write_words(engine_t *e, uint64_t pa, const uint64_t *v, size_t n) {
  if ((e->recording && e->rec.mem_write) || e->trace || (pa & 7)) { /* one event per word */
    for (size_t i = 0; i < n; i++) {
      int st = engine_mem_write(e, pa + 8 * i, 8, v[i]);
      if (st != TB_OK) return st;
    }
    return TB_OK;
  }
  bool ok = true;
  if (engine_land_pokes(e) != TB_OK) return e->err.code;
  if (e->model) ok = pmem_write_words(e->model->mem, pa, v, n);
  if (e->rtl) ok = pmem_write_words(rtl_side_mem(e->rtl), pa, v, n) && ok;
  if (!ok)
    return tb_fail(&e->err, TB_E_NOMEM, "no host memory for physical address 0x%09" PRIx64, pa);
  return TB_OK;
}

void engine_mem_read_words(const engine_t *e, uint64_t pa, uint64_t *v, size_t n) {
  pmem_read_words(e->model ? e->model->mem : rtl_side_mem(e->rtl), pa, v, n);
}

void engine_inject_bus_error(engine_t *e, uint64_t index) {
  if (e->recording && e->rec.bus_error) e->rec.bus_error(e->rec.ctx, index);
  if (e->model) pmem_set_bus_error_request(e->model->mem, pmem_requests(e->model->mem) + index);
  if (e->rtl)
    pmem_set_bus_error_request(rtl_side_mem(e->rtl), pmem_requests(rtl_side_mem(e->rtl)) + index);
}

pmmu_t *engine_model(engine_t *e) { return e->model ? e->model->m : NULL; }

uint64_t engine_read_reg(const engine_t *e, engine_reg reg) {
  switch (reg) {
  case REG_CR0: return e->ctl.cr0;
  case REG_CR3: return e->ctl.cr3;
  case REG_CR4: return e->ctl.cr4;
  case REG_EFER: return e->ctl.efer;
  }
  return 0;
}

/* ---- Injection: acks and resets (engine.h) ------------------------------------------------ */

int engine_ack(engine_t *e, uint64_t cycle) {
  if ((e->any_ack && cycle <= e->last_ack) || (e->rtl && cycle < rtl_side_cycle(e->rtl)))
    return tb_fail(&e->err, TB_E_ORDER, "an ack in cycle %" PRIu64 " is out of order", cycle);
  if (e->trace && !e->rtl && cycle < txtrace_last_cycle(e->trace))
    return tb_fail(&e->err, TB_E_ORDER,
                   "an ack in cycle %" PRIu64 " would go before events the trace has written",
                   cycle);
  if (e->model) {
    pmmu_ack_interrupt_at(e->model->m, cycle);
    irq_note(e, cycle + 1); /* lowers the line from a + 1 */
  }
  if (e->trace && !e->rtl) trace_model_ack(e, cycle);
  if (e->rtl) {
    int st = rtl_side_ack(e->rtl, cycle);
    if (st) return status(e, st, "the RTL refused the ack");
  }
  e->any_ack = true;
  e->last_ack = cycle;
  e->acks++;
  return TB_OK;
}

int engine_interrupt(engine_t *e, uint64_t cycle, pmmu_interrupt_state *out) {
  if (e->model)
    return pmmu_interrupt_at(e->model->m, cycle, out) == PMMU_E_OK ? TB_OK : TB_E_INVALID;
  int st = rtl_side_interrupt(e->rtl, cycle, out);
  return st ? status(e, st, "the interrupt outputs") : TB_OK;
}

uint64_t engine_acks(const engine_t *e) { return e->acks; }
uint64_t engine_resets(const engine_t *e) { return e->resets; }

static int reset_refused(engine_t *e) {
  if (e->trace || e->recording)
    return tb_fail(&e->err, TB_E_UNAVAILABLE,
                   "reset injection does not go with a transaction trace or a recorder");
  return TB_OK;
}

int engine_reset(engine_t *e, uint64_t cycle) {
  int st = reset_refused(e);
  if (st) return st;
  if (e->rtl) {
    if ((st = rtl_side_reset(e->rtl, cycle)) != TB_OK) return status(e, st, "reset");
  } else if (cycle < pmmu_ready_cycle(e->model->m)) {
    return tb_fail(&e->err, TB_E_ORDER, "a reset in cycle %" PRIu64 " is out of order", cycle);
  }
  bool differs = inject_take_irq(e); /* the cycles up to the reset's */
  inject_reset_halves(e);
  return differs ? TB_MISMATCH : TB_OK;
}

/* The operation `run` with rst_ni low in `reset_cycle`; if the operation ended first, the reset
 * comes after it (engine_reset). */
static int with_reset(engine_t *e, uint64_t reset_cycle, bool *lost, int st_run) {
  uint64_t x = e->reset_at;
  bool was_lost = e->lost;
  e->reset_at = UINT64_MAX;
  e->lost = false;
  if (e->rtl) rtl_side_take_reset(e->rtl);
  *lost = was_lost;
  if (was_lost || st_run < 0 || st_run == TB_HANG) return st_run;
  (void)reset_cycle;
  int st = engine_reset(e, x);
  return st < 0 ? st : (st_run != TB_OK ? st_run : st);
}

int engine_translate_reset(engine_t *e, const pmmu_request *req, uint64_t reset_cycle,
                           pmmu_response *out, bool *lost) {
  int st = reset_refused(e);
  if (st) return st;
  if (reset_cycle < req->cycle)
    return tb_fail(&e->err, TB_E_ORDER, "a reset before the request it stops");
  e->reset_at = reset_cycle;
  e->lost = false;
  st = translate(e, req, NULL, out);
  if (!e->rtl && e->model && out->response_cycle > reset_cycle) { /* the model alone */
    inject_truncate_model(e, reset_cycle);
    inject_reset_halves(e);
    e->lost = true;
  }
  return with_reset(e, reset_cycle, lost, st);
}

int engine_write_reg_reset(engine_t *e, engine_reg reg, uint64_t value, uint64_t cycle,
                           uint64_t reset_cycle, pmmu_reg_result *out, bool *lost) {
  int st = reset_refused(e);
  if (st) return st;
  if (reset_cycle < cycle) return tb_fail(&e->err, TB_E_ORDER, "a reset before the write");
  e->reset_at = reset_cycle;
  e->lost = false;
  pmmu_reg_result res = {0};
  st = engine_write_reg(e, reg, value, cycle, &res);
  if (!e->rtl && e->model && res.done_cycle > reset_cycle) {
    inject_reset_halves(e);
    e->lost = true;
  }
  if (out) *out = res;
  return with_reset(e, reset_cycle, lost, st);
}
