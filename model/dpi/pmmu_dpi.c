/*
 * The DPI-C glue of the pmmu model (pmmu_dpi.h; docs/dpi.md). Plain C11 over libpmmu's
 * public API and the standard svdpi.h: any simulator with DPI-C can link it.
 *
 * A handle holds the model, its sparse memory image, the DUT's walker transactions observed
 * for the next step (whose timing and bus errors the model's memory callbacks replay), the
 * model's own transactions of the last step, and the last comparison's rows.
 */
#include "pmmu_dpi.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmmu/pmmu.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE (1u << PAGE_SHIFT)
#define BUCKETS 1024u
#define TEXT_MAX 8192u

typedef struct page {
  uint64_t frame;
  struct page *next;
  uint8_t bytes[PAGE_SIZE];
} page;

typedef struct txn_list {
  pmmu_mem_txn *v;
  unsigned n, cap;
} txn_list;

typedef struct pmmu_dpi {
  pmmu_t *m;
  unsigned latency; /* of an access the DUT did not make */
  page *pages[BUCKETS];
  txn_list seen;      /* the DUT's accesses for the next step */
  bool seen_stale;    /* a step consumed them: the next observation starts a new list */
  unsigned seen_next; /* the rank of the model's next access in this step */
  bool seen_err;      /* the model's current access answers with a bus error */
  txn_list want;      /* the model's accesses of the last step */
  pmmu_request req;   /* the last request */
  pmmu_response resp;
  int load_reg; /* the last register write, or the PDPTE load under way */
  uint64_t load_value, load_cycle;
  bool loading;
  pmmu_reg_result reg;
  int control; /* the control inputs as the model has them (PMMU_DPI_CTL_*) */
  uint32_t cr3;
  int implied_flush;      /* the invalidation the last write made itself (-1: none) ... */
  uint64_t implied_cycle; /* ... which the DUT gets on its flush port in this cycle */
  char rows[TEXT_MAX];    /* the last comparison's rows */
  size_t rows_len;
  bool rows_of_load;         /* ... of a PDPTE load (else of a request or its interrupt) */
  char text[TEXT_MAX + 256]; /* pmmu_dpi_report: the header, the column line, the rows */
} pmmu_dpi;

static char create_error[256];

/* ---- Memory image and callbacks ------------------------------------------------------------ */

static page *find_page(pmmu_dpi *d, uint64_t pa, bool create) {
  uint64_t frame = pa >> PAGE_SHIFT;
  page **slot = &d->pages[frame % BUCKETS];
  for (page *p = *slot; p; p = p->next)
    if (p->frame == frame) return p;
  if (!create) return NULL;
  page *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->frame = frame;
  p->next = *slot;
  *slot = p;
  return p;
}

static bool access_ok(uint64_t pa, unsigned size) {
  return (size == 4 || size == 8) && pa % size == 0 && pa <= PMMU_PA_MASK;
}

static uint64_t image_read(pmmu_dpi *d, uint64_t pa, unsigned size) {
  const page *p = find_page(d, pa, false);
  uint64_t v = 0;
  for (unsigned i = 0; p && i < size; i++) v |= (uint64_t)p->bytes[(pa + i) % PAGE_SIZE] << (8 * i);
  return v;
}

static bool image_write(pmmu_dpi *d, uint64_t pa, unsigned size, uint64_t v) {
  page *p = find_page(d, pa, true);
  if (!p) return false;
  for (unsigned i = 0; i < size; i++) p->bytes[(pa + i) % PAGE_SIZE] = (uint8_t)(v >> (8 * i));
  return true;
}

static bool mem_read(void *ctx, uint64_t pa, unsigned size, uint64_t *value) {
  pmmu_dpi *d = ctx;
  *value = d->seen_err ? 0 : image_read(d, pa, size);
  return !d->seen_err;
}

static bool mem_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expected, uint64_t desired,
                    uint64_t *old) {
  pmmu_dpi *d = ctx;
  if (d->seen_err) {
    *old = 0;
    return false;
  }
  *old = image_read(d, pa, size);
  if (*old == expected) image_write(d, pa, size, desired);
  return true;
}

/* The model's k-th access of a step gets the back-pressure, latency and bus error of the DUT's
 * k-th access; one the DUT did not make, none and the configured latency. */
static void mem_timing(void *ctx, pmmu_mem_op op, uint64_t pa, unsigned size, uint64_t present,
                       uint64_t *accept, uint64_t *response) {
  pmmu_dpi *d = ctx;
  (void)op;
  (void)pa;
  (void)size;
  uint64_t wait = 0, latency = d->latency;
  d->seen_err = false;
  if (d->seen_next < d->seen.n) {
    const pmmu_mem_txn *t = &d->seen.v[d->seen_next];
    wait = t->accept_cycle >= t->present_cycle ? t->accept_cycle - t->present_cycle : 0;
    latency = t->response_cycle > t->accept_cycle ? t->response_cycle - t->accept_cycle : 1;
    d->seen_err = t->bus_error;
  }
  d->seen_next++;
  *accept = present + wait;
  *response = *accept + latency;
}

static void txn_push(txn_list *l, const pmmu_mem_txn *t) {
  if (l->n == l->cap) {
    unsigned cap = l->cap ? 2 * l->cap : 16;
    pmmu_mem_txn *grown = realloc(l->v, cap * sizeof *grown);
    if (!grown) return; /* the comparison then reports the missing access */
    l->v = grown;
    l->cap = cap;
  }
  l->v[l->n++] = *t;
}

static void mem_observe(void *ctx, const pmmu_mem_txn *t) { txn_push(&((pmmu_dpi *)ctx)->want, t); }

/* ---- Life cycle ----------------------------------------------------------------------------- */

/* The one place that makes the model (the creation API may change: adapt it here). */
static pmmu_t *make_model(const pmmu_config *cfg) {
  const char *bad = pmmu_config_check(cfg);
  if (bad) {
    snprintf(create_error, sizeof create_error, "pmmu_dpi_create: %s", bad);
    return NULL;
  }
  pmmu_t *m;
  pmmu_error made = pmmu_create(cfg, &m);
  if (made) snprintf(create_error, sizeof create_error, "pmmu_dpi_create: %s", pmmu_strerror(made));
  return m;
}

static void reset_state(pmmu_dpi *d) {
  d->seen.n = 0;
  d->seen_stale = false;
  d->want.n = 0;
  d->loading = false;
  d->control = PMMU_DPI_CTL_PG; /* the model's reset: CR0.PG = 1, the rest 0 */
  d->cr3 = 0;
  d->implied_flush = -1;
  d->rows[0] = '\0';
  d->rows_len = 0;
  d->rows_of_load = false;
}

void *pmmu_dpi_create(int sets, int ways, int large, int policy, int lfsr_seed, int mem_latency) {
  pmmu_dpi *d = calloc(1, sizeof *d);
  if (!d) {
    snprintf(create_error, sizeof create_error, "pmmu_dpi_create: out of memory");
    return NULL;
  }
  pmmu_config cfg;
  pmmu_config_init(&cfg);
  cfg.tlb_sets = (unsigned)sets;
  cfg.tlb_ways = (unsigned)ways;
  cfg.tlb_large = (unsigned)large;
  cfg.policy = (pmmu_policy)policy;
  cfg.lfsr_seed = (uint16_t)lfsr_seed;
  cfg.mem_latency = (unsigned)mem_latency;
  cfg.mem = (pmmu_mem_ops){
      .read = mem_read, .cas = mem_cas, .timing = mem_timing, .observe = mem_observe, .ctx = d};
  if (policy < 0 || policy > PMMU_POLICY_RANDOM || sets <= 0 || ways <= 0 || large <= 0 ||
      mem_latency <= 0 || lfsr_seed < 0 || lfsr_seed > 0xffff) {
    snprintf(create_error, sizeof create_error,
             "pmmu_dpi_create: a negative or zero size, latency or policy out of range");
    free(d);
    return NULL;
  }
  d->latency = (unsigned)mem_latency;
  if (!(d->m = make_model(&cfg))) {
    free(d);
    return NULL;
  }
  reset_state(d);
  create_error[0] = '\0';
  return d;
}

const char *pmmu_dpi_create_error(void) { return create_error; }

void pmmu_dpi_destroy(void *h) {
  pmmu_dpi *d = h;
  if (!d) return;
  pmmu_destroy(d->m);
  for (unsigned b = 0; b < BUCKETS; b++) {
    page *p = d->pages[b];
    while (p) {
      page *next = p->next;
      free(p);
      p = next;
    }
  }
  free(d->seen.v);
  free(d->want.v);
  free(d);
}

void pmmu_dpi_reset(void *h) {
  pmmu_dpi *d = h;
  pmmu_reset(d->m);
  reset_state(d);
}

int pmmu_dpi_mem_write(void *h, long long pa, int size, long long value) {
  if (!access_ok((uint64_t)pa, (unsigned)size)) return PMMU_E_INVALID;
  return image_write(h, (uint64_t)pa, (unsigned)size, (uint64_t)value) ? PMMU_E_OK : PMMU_E_NOMEM;
}

long long pmmu_dpi_mem_read(void *h, long long pa, int size) {
  if (!access_ok((uint64_t)pa, (unsigned)size)) return 0;
  return (long long)image_read(h, (uint64_t)pa, (unsigned)size);
}

void pmmu_dpi_observe_txn(void *h, int op, long long pa, int size, long long expected,
                          long long desired, long long data, svBit err, long long present,
                          long long accept, long long response) {
  pmmu_dpi *d = h;
  if (d->seen_stale) {
    d->seen.n = 0;
    d->seen_stale = false;
  }
  pmmu_mem_txn t = {.op = op ? PMMU_MEM_CAS : PMMU_MEM_READ,
                    .pa = (uint64_t)pa,
                    .size = (unsigned)size,
                    .expected = op ? (uint64_t)expected : 0,
                    .desired = op ? (uint64_t)desired : 0,
                    .data = err ? 0 : (uint64_t)data,
                    .bus_error = err != 0,
                    .present_cycle = (uint64_t)present,
                    .accept_cycle = (uint64_t)accept,
                    .response_cycle = (uint64_t)response};
  txn_push(&d->seen, &t);
}

/* A step replays the accesses observed since the last one. */
static void step_begin(pmmu_dpi *d) {
  if (d->seen_stale) d->seen.n = 0;
  d->seen_stale = true;
  d->seen_next = 0;
  d->want.n = 0;
}

/* ---- Control ------------------------------------------------------------------------------- */

static int write_reg(pmmu_dpi *d, int reg, uint64_t value, uint64_t cycle) {
  memset(&d->reg, 0, sizeof d->reg);
  switch (reg) {
  case 0: return pmmu_write_cr0(d->m, (uint32_t)value, cycle, &d->reg);
  case 1: return pmmu_write_cr3(d->m, (uint32_t)value, cycle, &d->reg);
  case 2: return pmmu_write_cr4(d->m, (uint32_t)value, cycle, &d->reg);
  case 3: return pmmu_write_efer(d->m, value, cycle, &d->reg);
  default: return PMMU_E_INVALID;
  }
}

/* The control inputs that the model's registers make. */
static void sync_control(pmmu_dpi *d) {
  pmmu_control c;
  pmmu_get_control(d->m, &c);
  d->control = ((c.cr0 & PMMU_CR0_PG) ? PMMU_DPI_CTL_PG : 0) |
               ((c.cr0 & PMMU_CR0_WP) ? PMMU_DPI_CTL_WP : 0) |
               ((c.cr4 & PMMU_CR4_PSE) ? PMMU_DPI_CTL_PSE : 0) |
               ((c.cr4 & PMMU_CR4_PAE) ? PMMU_DPI_CTL_PAE : 0) |
               ((c.cr4 & PMMU_CR4_PGE) ? PMMU_DPI_CTL_PGE : 0) |
               ((c.cr4 & PMMU_CR4_SMEP) ? PMMU_DPI_CTL_SMEP : 0) |
               ((c.cr4 & PMMU_CR4_SMAP) ? PMMU_DPI_CTL_SMAP : 0) |
               ((c.efer & PMMU_EFER_NXE) ? PMMU_DPI_CTL_NXE : 0);
  d->cr3 = c.cr3;
}

int pmmu_dpi_write_reg(void *h, int reg, long long value, long long cycle) {
  pmmu_dpi *d = h;
  step_begin(d);
  d->load_reg = reg;
  d->load_value = (uint64_t)value;
  d->load_cycle = (uint64_t)cycle;
  int err = write_reg(d, reg, (uint64_t)value, (uint64_t)cycle);
  if (!err) sync_control(d);
  return err;
}

void pmmu_dpi_reg_result(void *h, svBit *gp, svBit *loaded, long long *done_cycle) {
  const pmmu_dpi *d = h;
  *gp = d->reg.gp_fault;
  *loaded = d->reg.pdptes_loaded;
  *done_cycle = (long long)d->reg.done_cycle;
}

int pmmu_dpi_invlpg(void *h, int la, long long cycle) {
  return pmmu_invlpg(((pmmu_dpi *)h)->m, (uint32_t)la, (uint64_t)cycle);
}

int pmmu_dpi_flush(void *h, int kind, int la, long long cycle) {
  if (kind < PMMU_FLUSH_NONGLOBAL || kind > PMMU_FLUSH_PAGE) return PMMU_E_INVALID;
  return pmmu_flush(((pmmu_dpi *)h)->m, (pmmu_flush_kind)kind, (uint32_t)la, (uint64_t)cycle);
}

void pmmu_dpi_ack(void *h) { pmmu_ack_interrupt(((pmmu_dpi *)h)->m); }

void pmmu_dpi_interrupt(void *h, svBit *pending, int *cr2, int *ec) {
  pmmu_interrupt_state s;
  pmmu_get_interrupt(((pmmu_dpi *)h)->m, &s);
  *pending = s.pending;
  *cr2 = (int)s.cr2;
  *ec = (int)s.error_code;
}

/* ---- Translation --------------------------------------------------------------------------- */

int pmmu_dpi_translate(void *h, int la, int acc, int priv, svBit ac, long long cycle) {
  pmmu_dpi *d = h;
  static const pmmu_priv privs[] = {PMMU_USER, PMMU_SUPERVISOR, PMMU_IMPLICIT};
  step_begin(d);
  memset(&d->resp, 0, sizeof d->resp);
  if (acc < 0 || acc > PMMU_FETCH || priv < 0 || priv > 2) return PMMU_E_INVALID;
  d->req = (pmmu_request){.la = (uint32_t)la,
                          .access = (pmmu_access)acc,
                          .priv = privs[priv],
                          .ac = ac != 0,
                          .cycle = (uint64_t)cycle};
  return pmmu_translate(d->m, &d->req, &d->resp);
}

void pmmu_dpi_expected(void *h, int *outcome, long long *pa, int *attr, int *ec, int *tlb,
                       long long *accept_cycle, long long *response_cycle) {
  const pmmu_response *r = &((pmmu_dpi *)h)->resp;
  *outcome = (int)r->outcome;
  *pa = r->outcome == PMMU_OK ? (long long)r->pa : 0;
  *attr = r->outcome == PMMU_OK ? (int)r->attr : 0;
  *ec = r->outcome == PMMU_PAGE_FAULT ? (int)r->error_code : 0;
  *tlb = (int)r->tlb;
  *accept_cycle = (long long)r->accept_cycle;
  *response_cycle = (long long)r->response_cycle;
}

int pmmu_dpi_expected_outcome(void *h) { return (int)((pmmu_dpi *)h)->resp.outcome; }

int pmmu_dpi_expected_txns(void *h) { return (int)((pmmu_dpi *)h)->want.n; }

void pmmu_dpi_expected_txn(void *h, int index, int *op, long long *pa, int *size,
                           long long *expected, long long *desired, long long *data, svBit *err,
                           long long *present, long long *accept, long long *response) {
  const pmmu_dpi *d = h;
  pmmu_mem_txn t = {0};
  if (index >= 0 && (unsigned)index < d->want.n) t = d->want.v[index];
  *op = t.op == PMMU_MEM_CAS;
  *pa = (long long)t.pa;
  *size = (int)t.size;
  *expected = (long long)t.expected;
  *desired = (long long)t.desired;
  *data = (long long)t.data;
  *err = t.bus_error;
  *present = (long long)t.present_cycle;
  *accept = (long long)t.accept_cycle;
  *response = (long long)t.response_cycle;
}

/* ---- Comparison: the rows of testbench/engine/engine_report.c ------------------------------ */

#define ROW "  %-22s %-36s %s\n"

static void rows_clear(pmmu_dpi *d, bool of_load) {
  d->rows[0] = '\0';
  d->rows_len = 0;
  d->rows_of_load = of_load;
}

static void rows_add(pmmu_dpi *d, const char *fmt, ...) {
  if (d->rows_len >= sizeof d->rows) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(d->rows + d->rows_len, sizeof d->rows - d->rows_len, fmt, ap);
  va_end(ap);
  if (n > 0) d->rows_len += (size_t)n;
}

/* A value as the lockstep table shows it (engine_report.c, written again here for the same
 * reason as describe_txn below): results by name, cycles in decimal, the rest in hex. */
static void describe_value(const char *field, uint64_t v, char *buf, size_t len) {
  if (strcmp(field, "outcome") == 0) {
    static const char *const names[] = {"ok", "#PF", "bus error"}; /* pmmu_outcome */
    if (v < 3) snprintf(buf, len, "%s", names[v]);
    else snprintf(buf, len, "outcome %" PRIu64 "?", v);
  } else if (strcmp(field, "tlb") == 0) {
    if (v <= PMMU_TLB_MISS) snprintf(buf, len, "%s", pmmu_tlb_use_name((pmmu_tlb_use)v));
    else snprintf(buf, len, "tlb %" PRIu64 "?", v);
  } else if (strcmp(field, "#GP(0)") == 0) {
    snprintf(buf, len, "%s", v ? "yes" : "no");
  } else if (strncmp(field, "interrupt line", 14) == 0) { /* also "interrupt line (R+1)" */
    snprintf(buf, len, "%s", v ? "high" : "low");
  } else if (strstr(field, "cycle")) {
    snprintf(buf, len, "%" PRIu64, v);
  } else {
    snprintf(buf, len, "0x%" PRIx64, v);
  }
}

static void differ_u64(pmmu_dpi *d, const char *field, uint64_t model, uint64_t dut) {
  if (model == dut) return;
  char a[32], b[32];
  describe_value(field, model, a, sizeof a);
  describe_value(field, dut, b, sizeof b);
  rows_add(d, ROW, field, a, b);
}

/* The lockstep table's form of an access (testbench/engine/engine_report.c), written again
 * here because the glue is shipped alone: it links libpmmu and nothing of the testbench. */
static void describe_txn(const pmmu_mem_txn *t, char *buf, size_t len) {
  if (!t) {
    snprintf(buf, len, "(none)");
    return;
  }
  snprintf(buf, len, "%s%u 0x%09" PRIx64 " %s0x%" PRIx64 "%s @%" PRIu64 "/%" PRIu64 "/%" PRIu64,
           t->op == PMMU_MEM_CAS ? "cas" : "rd", t->size * 8, t->pa,
           t->op == PMMU_MEM_CAS ? "-> " : "= ", t->op == PMMU_MEM_CAS ? t->desired : t->data,
           t->bus_error ? " buserr" : "", t->present_cycle, t->accept_cycle, t->response_cycle);
}

/* What the lockstep compares of an access (engine.c same_txn); the data of a bus error is
 * not looked at (a DUT's memory may answer anything with it). */
static bool same_txn(const pmmu_mem_txn *a, const pmmu_mem_txn *b) {
  return a->op == b->op && a->pa == b->pa && a->size == b->size && a->bus_error == b->bus_error &&
         (a->bus_error || a->data == b->data) && a->present_cycle == b->present_cycle &&
         a->accept_cycle == b->accept_cycle && a->response_cycle == b->response_cycle &&
         (a->op != PMMU_MEM_CAS || (a->expected == b->expected && a->desired == b->desired));
}

static void compare_txns(pmmu_dpi *d) {
  unsigned n = d->want.n > d->seen.n ? d->want.n : d->seen.n;
  for (unsigned i = 0; i < n; i++) {
    const pmmu_mem_txn *a = i < d->want.n ? &d->want.v[i] : NULL;
    const pmmu_mem_txn *b = i < d->seen.n ? &d->seen.v[i] : NULL;
    if (a && b && same_txn(a, b)) continue;
    char field[32], x[96], y[96];
    snprintf(field, sizeof field, "memory access %u", i + 1);
    describe_txn(a, x, sizeof x);
    describe_txn(b, y, sizeof y);
    rows_add(d, ROW, field, x, y);
  }
}

const char *pmmu_dpi_compare_response(void *h, int outcome, long long pa, int attr, int ec, int tlb,
                                      long long accept_cycle, long long response_cycle) {
  pmmu_dpi *d = h;
  const pmmu_response *m = &d->resp;
  rows_clear(d, false);
  differ_u64(d, "outcome", (uint64_t)m->outcome, (uint64_t)outcome);
  if (m->outcome == PMMU_OK && outcome == PMMU_OK) {
    differ_u64(d, "pa", m->pa, (uint64_t)pa);
    differ_u64(d, "attr (pwt|pcd<<1|pat<<2)", m->attr, (uint64_t)attr);
  }
  if (m->outcome == PMMU_PAGE_FAULT && outcome == PMMU_PAGE_FAULT)
    differ_u64(d, "error code", m->error_code, (uint64_t)ec);
  differ_u64(d, "tlb", (uint64_t)m->tlb, (uint64_t)tlb);
  differ_u64(d, "accept cycle", m->accept_cycle, (uint64_t)accept_cycle);
  differ_u64(d, "response cycle", m->response_cycle, (uint64_t)response_cycle);
  compare_txns(d);
  return d->rows;
}

const char *pmmu_dpi_compare_load(void *h, svBit gp, long long done_cycle) {
  pmmu_dpi *d = h;
  rows_clear(d, true);
  differ_u64(d, "#GP(0)", d->reg.gp_fault, gp != 0);
  differ_u64(d, "done cycle", d->reg.done_cycle, (uint64_t)done_cycle);
  compare_txns(d);
  return d->rows;
}

const char *pmmu_dpi_compare_interrupt(void *h, svBit line, int cr2, int ec) {
  pmmu_dpi *d = h;
  pmmu_interrupt_state s;
  pmmu_get_interrupt(d->m, &s);
  rows_clear(d, false);
  differ_u64(d, "interrupt line (R+1)", s.pending, line != 0);
  differ_u64(d, "latched CR2 (R+1)", s.cr2, (uint32_t)cr2);
  differ_u64(d, "latched error code (R+1)", s.error_code, (uint32_t)ec);
  return d->rows;
}

const char *pmmu_dpi_report(void *h, long long request) {
  static const char *const regs[] = {"cr0", "cr3", "cr4", "efer"};
  pmmu_dpi *d = h;
  size_t n;
  if (d->rows_of_load) {
    n = (size_t)snprintf(d->text, sizeof d->text,
                         "lockstep mismatch at the PDPTE load of %s <- 0x%" PRIx64
                         " in cycle %" PRIu64 ":\n",
                         d->load_reg >= 0 && d->load_reg < 4 ? regs[d->load_reg] : "?",
                         d->load_value, d->load_cycle);
  } else {
    const pmmu_request *q = &d->req;
    n = (size_t)snprintf(d->text, sizeof d->text,
                         "lockstep mismatch at request %lld (%s %s%s 0x%08" PRIx32
                         ", presented in cycle %" PRIu64 "):\n",
                         request, pmmu_access_name(q->access), pmmu_priv_name(q->priv),
                         q->ac ? " ac" : "", q->la, q->cycle);
  }
  if (n < sizeof d->text)
    n += (size_t)snprintf(d->text + n, sizeof d->text - n, ROW, "field", "model", "rtl");
  if (n < sizeof d->text) { /* the rows, cut to what fits */
    size_t len = strlen(d->rows);
    if (len > sizeof d->text - 1 - n) len = sizeof d->text - 1 - n;
    memcpy(d->text + n, d->rows, len);
    d->text[n + len] = '\0';
  }
  return d->text;
}

/* ---- Following the control inputs ---------------------------------------------------------- */

/* The invalidation a register write implies (x86-paging.md section 8), as the CPU gives it on
 * the block's flush port: -1 for none (the same rule as testbench/engine/engine.c). */
static int implied_flush(int reg, int old, int new) {
  const int all = PMMU_DPI_CTL_PG | PMMU_DPI_CTL_PGE | PMMU_DPI_CTL_PSE | PMMU_DPI_CTL_PAE |
                  PMMU_DPI_CTL_SMEP | PMMU_DPI_CTL_NXE;
  if ((old ^ new) & all) return PMMU_FLUSH_ALL;
  return reg == 1 ? PMMU_FLUSH_NONGLOBAL : -1;
}

/* The register's value with the inputs' bits (the bits the block does not see are kept). */
static uint64_t reg_value(const pmmu_dpi *d, int reg, int ctl, uint32_t cr3) {
  pmmu_control c;
  pmmu_get_control(d->m, &c);
  switch (reg) {
  case 0:
    return (c.cr0 & ~(PMMU_CR0_PG | PMMU_CR0_WP)) | ((ctl & PMMU_DPI_CTL_PG) ? PMMU_CR0_PG : 0) |
           ((ctl & PMMU_DPI_CTL_WP) ? PMMU_CR0_WP : 0);
  case 1: return cr3;
  case 2: {
    const uint32_t mask =
        PMMU_CR4_PSE | PMMU_CR4_PAE | PMMU_CR4_PGE | PMMU_CR4_SMEP | PMMU_CR4_SMAP;
    return (c.cr4 & ~mask) | ((ctl & PMMU_DPI_CTL_PSE) ? PMMU_CR4_PSE : 0) |
           ((ctl & PMMU_DPI_CTL_PAE) ? PMMU_CR4_PAE : 0) |
           ((ctl & PMMU_DPI_CTL_PGE) ? PMMU_CR4_PGE : 0) |
           ((ctl & PMMU_DPI_CTL_SMEP) ? PMMU_CR4_SMEP : 0) |
           ((ctl & PMMU_DPI_CTL_SMAP) ? PMMU_CR4_SMAP : 0);
  }
  default: return (c.efer & ~PMMU_EFER_NXE) | ((ctl & PMMU_DPI_CTL_NXE) ? PMMU_EFER_NXE : 0);
  }
}

/* Which registers the new inputs change, in the order they are written: EFER, CR4, CR3, CR0. */
static unsigned changed_regs(const pmmu_dpi *d, int ctl, uint32_t cr3, int order[4]) {
  const int cr0_bits = PMMU_DPI_CTL_PG | PMMU_DPI_CTL_WP, efer_bits = PMMU_DPI_CTL_NXE;
  const int cr4_bits = 0xff & ~cr0_bits & ~efer_bits;
  int diff = ctl ^ d->control;
  unsigned n = 0;
  if (diff & efer_bits) order[n++] = 3;
  if (diff & cr4_bits) order[n++] = 2;
  if (cr3 != d->cr3) order[n++] = 1;
  if (diff & cr0_bits) order[n++] = 0;
  return n;
}

/* One register write the inputs show; records the flush it implies for this cycle. */
static int follow_write(pmmu_dpi *d, int reg, int ctl, uint32_t cr3, uint64_t cycle) {
  int old = d->control;
  int err = pmmu_dpi_write_reg(d, reg, (long long)reg_value(d, reg, ctl, cr3), (long long)cycle);
  if (err) return err;
  d->implied_flush = implied_flush(reg, old, d->control);
  d->implied_cycle = cycle;
  return 0;
}

int pmmu_dpi_control(void *h, int control, int cr3, svBit flush_valid, int flush_kind, int flush_la,
                     long long cycle) {
  pmmu_dpi *d = h;
  int order[4];
  uint64_t c = (uint64_t)cycle;
  unsigned n = changed_regs(d, control & 0xff, (uint32_t)cr3, order);
  bool load = flush_valid && flush_kind == 3;
  if (d->implied_cycle != c) d->implied_flush = -1;
  /* every write but the one that loads the PDPTEs is made now */
  for (unsigned i = 0; i < n - (load && n > 0 ? 1u : 0u); i++) {
    int err = follow_write(d, order[i], control & 0xff, (uint32_t)cr3, c);
    if (err) return err;
  }
  if (load) {
    d->loading = true;
    d->load_reg = n > 0 ? order[n - 1] : 1; /* a CR3 write of the same value */
    d->load_value = reg_value(d, d->load_reg, control & 0xff, (uint32_t)cr3);
    d->load_cycle = c;
    return 1;
  }
  if (!flush_valid) return 0;
  if (flush_kind == d->implied_flush) { /* the write's own invalidation, made already */
    d->implied_flush = -1;
    return 0;
  }
  return pmmu_dpi_flush(d, flush_kind, flush_la, cycle);
}

const char *pmmu_dpi_load_done(void *h, svBit gp, long long done_cycle) {
  pmmu_dpi *d = h;
  rows_clear(d, true);
  if (!d->loading) {
    rows_add(d, ROW, "PDPTE load", "(none)", "done");
    return d->rows;
  }
  d->loading = false;
  int reg = d->load_reg, old = d->control;
  uint64_t value = d->load_value, cycle = d->load_cycle;
  int err = pmmu_dpi_write_reg(d, reg, (long long)value, (long long)cycle);
  if (err) {
    rows_add(d, ROW, "register write", pmmu_error_name((pmmu_error)err), "done");
    return d->rows;
  }
  /* the DUT gets the write's invalidation in its done cycle when the load succeeds */
  d->implied_flush = d->reg.gp_fault ? -1 : implied_flush(reg, old, d->control);
  d->implied_cycle = (uint64_t)done_cycle;
  return pmmu_dpi_compare_load(d, gp, done_cycle);
}
