/*
 * The model group of a dump (docs/waves.md, "The model group"): in a lockstep run (--engine
 * both) the model's expected response and walk memory accesses are recorded per request
 * (engine_set_model_tap) and written into the RTL's FST, in a scope `model` beside `pmmu`,
 * as signals that follow the RTL's port timing cycle by cycle. GTKWave then draws the
 * model's expectation under the RTL's own ports, so a divergence is seen, not read from logs.
 *
 * Why in the same FST and not a second dump: GTKWave shows one dump per window; two windows
 * (twinwave) share the time axis but not the rows, so the two values of a signal would never
 * sit on adjacent rows. Verilator's FST writer cannot take signals of ours while it writes,
 * so the dump is rewritten once it is closed: every scope, attribute (the SV enums' names),
 * variable and value change copied with the FST library Verilator ships (fstapi), and the
 * model's changes interleaved in time order.
 */
#include "model.h"

#include <stdlib.h>
#include <string.h>

#ifdef PMMU_WAVES_HAVE_RTL
#include "pmmu_rtl.h"
#if defined(PMMU_WAVES_HAVE_FSTAPI)
#include <gtkwave/fstapi.h>
#endif
#endif

#ifndef PMMU_RTL_PKG_PAW
#define PMMU_RTL_PKG_PAW 36
#define PMMU_RTL_PKG_ECW 5
#define PMMU_RTL_TLB_OFF 0u
#define PMMU_RTL_TLB_HIT 1u
#define PMMU_RTL_TLB_MISS 2u
#endif

/* The signals, in the order of enum model_sig (model.h); widths as the RTL's ports. */
static const struct {
  const char *name;
  unsigned width;
} sigs[MODEL_NSIGS] = {
    [M_ACCEPT] = {"model_req_accept", 1},
    [M_RESP_VALID] = {"model_resp_valid", 1},
    [M_RESP_TLB] = {"model_resp_tlb", 2},
    [M_RESP_PA] = {"model_resp_pa", PMMU_RTL_PKG_PAW},
    [M_RESP_FAULT] = {"model_resp_fault", 1},
    [M_RESP_EC] = {"model_resp_ec", PMMU_RTL_PKG_ECW},
    [M_RESP_BUS_ERR] = {"model_resp_bus_err", 1},
    [M_MEM_REQ_VALID] = {"model_mem_req_valid", 1},
    [M_MEM_REQ_OP] = {"model_mem_req_op", 1},
    [M_MEM_REQ_SIZE] = {"model_mem_req_size", 1},
    [M_MEM_REQ_PA] = {"model_mem_req_pa", PMMU_RTL_PKG_PAW},
    [M_MEM_REQ_EXPECTED] = {"model_mem_req_expected", 64},
    [M_MEM_REQ_NEW] = {"model_mem_req_new", 64},
    [M_MEM_RESP_VALID] = {"model_mem_resp_valid", 1},
    [M_MEM_RESP_DATA] = {"model_mem_resp_data", 64},
    [M_MEM_RESP_ERR] = {"model_mem_resp_err", 1},
};

const char *model_sig_name(enum model_sig s) { return sigs[s].name; }
unsigned model_sig_width(enum model_sig s) { return sigs[s].width; }

typedef struct change {
  uint64_t time;
  uint64_t seq; /* arrival order: of two changes of one signal at one time, the later wins */
  uint64_t value;
  unsigned sig;
} change;

/* A value of no meaning, drawn as x: the model says nothing about a field outside the cycles
 * its valid bit is high in (the RTL's value there is whatever its logic leaves; lockstep
 * compares neither), so only the compared values stand beside the RTL's. The one-bit flags
 * (fault, bus error) are 0 there instead: an x bit is drawn as a red bar over the row, which
 * would hide the one cycle that matters. */
#define X UINT64_MAX

/* At most this many changes are kept (24 bytes each): a whole long run dumped with --waves
 * stops its model group there (said on stderr); a --waves-on-failure window is far smaller. */
#define MAX_CHANGES (4u << 20)

static struct {
  bool on;
  uint64_t t_from, t_to; /* the dump's window, in dump time */
  uint64_t before[MODEL_NSIGS];
  change *v;
  size_t n, cap;
  uint64_t seq;
  bool full;
  bool folding; /* the request ends before the window: its changes only set `before` */
  uint64_t requests;
} rec;

void model_rec_start(uint64_t t_from, uint64_t t_to) {
  free(rec.v);
  memset(&rec, 0, sizeof rec);
  for (unsigned s = 0; s < MODEL_NSIGS; s++) /* before the first request: as between two */
    rec.before[s] = sigs[s].width == 1 && s != M_MEM_REQ_OP && s != M_MEM_REQ_SIZE ? 0 : X;
  rec.on = true;
  rec.t_from = t_from;
  rec.t_to = t_to;
}

void model_rec_stop(void) {
  free(rec.v);
  memset(&rec, 0, sizeof rec);
}

bool model_rec_any(void) { return rec.requests > 0; }
bool model_rec_full(void) { return rec.full; }

static void put(uint64_t time, enum model_sig s, uint64_t value) {
  if (rec.folding) { /* each signal's changes come in time order within a request */
    rec.before[s] = value;
    return;
  }
  if (time > rec.t_to) return;
  if (rec.n == rec.cap) {
    if (rec.cap >= MAX_CHANGES) {
      rec.full = true;
      return;
    }
    size_t cap = rec.cap ? 2 * rec.cap : 1024;
    change *grown = realloc(rec.v, cap * sizeof *grown);
    if (!grown) {
      rec.full = true;
      return;
    }
    rec.v = grown;
    rec.cap = cap;
  }
  rec.v[rec.n++] = (change){time, rec.seq++, value, (unsigned)s};
}

#ifdef PMMU_WAVES_HAVE_RTL
/* A dump shows each cycle from its start, the rising edge that begins it (docs/waves.md "Time
 * base"): the block's outputs and inputs of a cycle both change there, and so do the model's
 * signals that stand beside them. (at_edge and at_start were 5 ns apart while the shim dumped
 * twice per cycle; they are kept apart to say which port timing each signal follows.) */
static uint64_t at_start(uint64_t cycle) { return pmmu_rtl_cycle_time(cycle); }
#else
static uint64_t at_start(uint64_t cycle) { return 10 * (cycle + 2); }
#endif
static uint64_t at_edge(uint64_t cycle) { return at_start(cycle); }

void model_rec_request(void *ctx, const pmmu_request *req, const pmmu_response *r,
                       const pmmu_mem_txn *t, unsigned n) {
  (void)ctx, (void)req;
  if (!rec.on || rec.full) return;
  rec.requests++;
  rec.folding = at_start(r->response_cycle + 1) < rec.t_from;
  put(at_start(r->accept_cycle), M_ACCEPT, 1);
  put(at_start(r->accept_cycle + 1), M_ACCEPT, 0);
  for (unsigned i = 0; i < n; i++) {
    bool cas = t[i].op == PMMU_MEM_CAS;
    uint64_t p = at_edge(t[i].present_cycle);
    put(p, M_MEM_REQ_VALID, 1);
    put(p, M_MEM_REQ_OP, cas);
    put(p, M_MEM_REQ_SIZE, t[i].size == 8);
    put(p, M_MEM_REQ_PA, t[i].pa);
    if (cas) {
      put(p, M_MEM_REQ_EXPECTED, t[i].expected);
      put(p, M_MEM_REQ_NEW, t[i].desired);
    } else {
      put(p, M_MEM_REQ_EXPECTED, X);
      put(p, M_MEM_REQ_NEW, X);
    }
    uint64_t a1 = at_edge(t[i].accept_cycle + 1);
    put(a1, M_MEM_REQ_VALID, 0);
    for (enum model_sig k = M_MEM_REQ_OP; k <= M_MEM_REQ_NEW; k++) put(a1, k, X);
    uint64_t d = at_start(t[i].response_cycle), d1 = at_start(t[i].response_cycle + 1);
    put(d, M_MEM_RESP_VALID, 1);
    put(d, M_MEM_RESP_DATA, t[i].data);
    put(d, M_MEM_RESP_ERR, t[i].bus_error);
    put(d1, M_MEM_RESP_VALID, 0);
    put(d1, M_MEM_RESP_DATA, X);
    put(d1, M_MEM_RESP_ERR, 0);
  }
  uint64_t e = at_edge(r->response_cycle), e1 = at_edge(r->response_cycle + 1);
  unsigned tlb = r->tlb == PMMU_TLB_HIT    ? PMMU_RTL_TLB_HIT
                 : r->tlb == PMMU_TLB_MISS ? PMMU_RTL_TLB_MISS
                                           : PMMU_RTL_TLB_OFF;
  put(e, M_RESP_VALID, 1);
  put(e, M_RESP_TLB, tlb);
  put(e, M_RESP_PA, r->outcome == PMMU_OK ? r->pa : 0);
  put(e, M_RESP_FAULT, r->outcome == PMMU_PAGE_FAULT);
  put(e, M_RESP_EC, r->outcome == PMMU_PAGE_FAULT ? r->error_code : 0);
  put(e, M_RESP_BUS_ERR, r->outcome == PMMU_BUS_ERROR);
  put(e1, M_RESP_VALID, 0);
  for (enum model_sig k = M_RESP_TLB; k <= M_RESP_BUS_ERR; k++)
    put(e1, k, sigs[k].width == 1 ? 0 : X);
  rec.folding = false;
}

static int by_time(const void *a, const void *b) {
  const change *x = a, *y = b;
  if (x->time != y->time) return x->time < y->time ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

#if defined(PMMU_WAVES_HAVE_RTL) && defined(PMMU_WAVES_HAVE_FSTAPI)

typedef struct merge {
  void *w;
  fstHandle *map; /* the reader's handle -> the writer's */
  fstHandle max;
  fstHandle model[MODEL_NSIGS];
  uint64_t cur[MODEL_NSIGS];
  size_t next;    /* the next of rec.v to write */
  bool started;   /* the first time step is written */
  uint64_t now;   /* the time step being written */
  uint64_t first; /* the dump's first time */
} merge;

static void emit(merge *m, enum model_sig s, uint64_t value) {
  char bits[65];
  unsigned w = sigs[s].width;
  for (unsigned i = 0; i < w; i++)
    bits[i] = value == X ? 'x' : (value >> (w - 1 - i)) & 1 ? '1' : '0';
  bits[w] = '\0';
  fstWriterEmitValueChange(m->w, m->model[s], bits);
  m->cur[s] = value;
}

/* The writer is told to write a block out every this much dump time (4,096 cycles): it buffers
 * a block's changes and, writing it, follows one list per signal through the whole buffer,
 * which past the CPU's caches took most of a long dump's rewrite (the shim does the same for
 * the RTL's dump: pmmu_rtl.cpp kFlushAuto). */
#define MERGE_BLOCK_TIME (10u * 4096u)

static void time_to(merge *m, uint64_t t) {
  if (m->started && t == m->now) return;
  if (m->started && t / MERGE_BLOCK_TIME != m->now / MERGE_BLOCK_TIME) fstWriterFlushContext(m->w);
  fstWriterEmitTimeChange(m->w, t);
  m->now = t;
  if (!m->started) { /* the model's state when the dump begins */
    m->started = true;
    for (unsigned s = 0; s < MODEL_NSIGS; s++) emit(m, (enum model_sig)s, m->cur[s]);
  }
}

/* The model's changes before time t (t = UINT64_MAX: all that are left). */
static void model_until(merge *m, uint64_t t) {
  while (m->next < rec.n && rec.v[m->next].time < t) {
    const change *c = &rec.v[m->next++];
    time_to(m, c->time < m->first ? m->first : c->time);
    emit(m, (enum model_sig)c->sig, c->value);
  }
}

static void on_value(void *ctx, uint64_t time, fstHandle h, const unsigned char *value) {
  merge *m = ctx;
  model_until(m, time);
  time_to(m, time);
  if (h <= m->max && m->map[h]) fstWriterEmitValueChange(m->w, m->map[h], value);
}

static void on_value_len(void *ctx, uint64_t time, fstHandle h, const unsigned char *value,
                         uint32_t len) {
  merge *m = ctx;
  model_until(m, time);
  time_to(m, time);
  if (h <= m->max && m->map[h]) fstWriterEmitVariableLengthValueChange(m->w, m->map[h], value, len);
}

int model_merge(const char *in, const char *out) {
  void *r = fstReaderOpen(in);
  if (!r) return -1;
  merge m;
  memset(&m, 0, sizeof m);
  m.max = fstReaderGetMaxHandle(r);
  m.map = calloc((size_t)m.max + 1, sizeof *m.map);
  m.w = m.map ? fstWriterCreate(out, 1) : NULL;
  if (!m.w) {
    free(m.map);
    fstReaderClose(r);
    return -1;
  }
  fstWriterSetTimescale(m.w, fstReaderGetTimescale(r));
  fstWriterSetTimezero(m.w, fstReaderGetTimezero(r));
  fstWriterSetFileType(m.w, (enum fstFileType)fstReaderGetFileType(r));
  /* the hierarchy as it is, then the model's scope */
  struct fstHier *h;
  int depth = 0;
  while ((h = fstReaderIterateHier(r))) {
    switch (h->htyp) {
    case FST_HT_SCOPE:
      fstWriterSetScope(m.w, (enum fstScopeType)h->u.scope.typ, h->u.scope.name,
                        h->u.scope.component);
      depth++;
      break;
    case FST_HT_UPSCOPE:
      fstWriterSetUpscope(m.w);
      depth--;
      break;
    case FST_HT_VAR: {
      fstHandle alias = h->u.var.is_alias && h->u.var.handle <= m.max ? m.map[h->u.var.handle] : 0;
      fstHandle got =
          fstWriterCreateVar(m.w, (enum fstVarType)h->u.var.typ, (enum fstVarDir)h->u.var.direction,
                             h->u.var.length, h->u.var.name, alias);
      if (h->u.var.handle <= m.max && !m.map[h->u.var.handle]) m.map[h->u.var.handle] = got;
      break;
    }
    case FST_HT_ATTRBEGIN:
      fstWriterSetAttrBegin(m.w, (enum fstAttrType)h->u.attr.typ, h->u.attr.subtype, h->u.attr.name,
                            h->u.attr.arg);
      break;
    case FST_HT_ATTREND: fstWriterSetAttrEnd(m.w); break;
    default: break;
    }
  }
  for (; depth > 0; depth--) fstWriterSetUpscope(m.w);
  fstWriterSetScope(m.w, FST_ST_VCD_MODULE, "model", NULL);
  for (unsigned s = 0; s < MODEL_NSIGS; s++) {
    char name[64];
    if (sigs[s].width > 1)
      snprintf(name, sizeof name, "%s [%u:0]", sigs[s].name, sigs[s].width - 1);
    else snprintf(name, sizeof name, "%s", sigs[s].name);
    m.model[s] = fstWriterCreateVar(m.w, FST_VT_VCD_WIRE, FST_VD_OUTPUT, sigs[s].width, name, 0);
  }
  fstWriterSetUpscope(m.w);
  /* the model's state at the start of the window, then the changes in time order */
  qsort(rec.v, rec.n, sizeof *rec.v, by_time);
  m.first = fstReaderGetStartTime(r);
  uint64_t end = fstReaderGetEndTime(r);
  memcpy(m.cur, rec.before, sizeof m.cur);
  while (m.next < rec.n && rec.v[m.next].time <= m.first) {
    m.cur[rec.v[m.next].sig] = rec.v[m.next].value;
    m.next++;
  }
  fstReaderSetFacProcessMaskAll(r);
  int ok = fstReaderIterBlocks2(r, on_value, on_value_len, &m, NULL);
  model_until(&m, end + 1);
  if (!m.started || end > m.now)
    time_to(&m, end); /* the dump's last time step, which may hold no change (its end) */
  fstReaderClose(r);
  fstWriterClose(m.w);
  free(m.map);
  return ok ? 0 : -1;
}

#else

int model_merge(const char *in, const char *out) {
  (void)in, (void)out;
  (void)by_time;
  return -1;
}

#endif
