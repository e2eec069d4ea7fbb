/*
 * Functional coverage (coverage.h; the bins and why they matter: docs/coverage.md).
 *
 * Every bin is classified from what the engine reports (engine_event): the response, the
 * walk's memory transactions and the control state, the same fields in every engine mode. Two
 * coverpoints need the model's TLB (the replacement victims and the entries dropped at lookup)
 * and are recorded only when the engine has a model (model, both). Where the RTL alone gives
 * no page size for a hit, the size is the one of the latest walk that mapped the address.
 */
#include "coverage.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tb_file.h"

/* ---- Bins: a hash table of name -> count ------------------------------------------------- */

typedef struct bin_slot {
  char *name; /* NULL: empty */
  uint64_t count;
} bin_slot;

/* The walks that mapped an address, for the size of an RTL hit: key -> (sequence, shift). */
typedef struct shadow_slot {
  uint64_t key;   /* 0: empty */
  unsigned shift; /* 0: removed */
  bool global;    /* survives a non-global flush */
} shadow_slot;

/* The bins hit by the recorder, remembered by the format and the arguments that name them (all
 * static strings and small numbers), so that a hit costs a hash of a few words, not the
 * formatting and hashing of its name. Direct-mapped; cleared whenever the bins table grows. */
#define MEMO_SLOTS 2048u
#define MEMO_ARGS 5u
typedef struct memo {
  const char *fmt; /* NULL: empty */
  uintptr_t a[MEMO_ARGS];
  size_t bin; /* the slot in coverage.bins */
} memo;

struct coverage {
  bin_slot *bins;
  size_t nbins, cap;
  memo *memo;
  engine_observer obs;
  engine_setup setup; /* of the engine made last */
  bool oom;
  /* before a request (model's TLB): the entry that mapped the LA, and which slots were valid */
  bool had_entry;
  pmmu_tlb_slot before_slot;
  bool valid4k[16], valid_large[64];
  /* the RTL's hits: the walks that mapped each page */
  shadow_slot *shadow;
  size_t nshadow, shadow_cap;
};

static uint64_t hash_str(const char *s) {
  uint64_t h = UINT64_C(1469598103934665603);
  for (; *s; s++) h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
  return h;
}

static bin_slot *find_slot(bin_slot *v, size_t cap, const char *name) {
  size_t i = (size_t)hash_str(name) & (cap - 1);
  while (v[i].name && strcmp(v[i].name, name) != 0) i = (i + 1) & (cap - 1);
  return &v[i];
}

static bool grow(coverage *c) {
  size_t cap = c->cap ? 2 * c->cap : 512;
  bin_slot *v = calloc(cap, sizeof *v);
  if (!v) return false;
  for (size_t i = 0; i < c->cap; i++)
    if (c->bins[i].name) *find_slot(v, cap, c->bins[i].name) = c->bins[i];
  free(c->bins);
  c->bins = v;
  c->cap = cap;
  if (c->memo) memset(c->memo, 0, MEMO_SLOTS * sizeof *c->memo); /* slots moved */
  return true;
}

bool coverage_add(coverage *c, const char *name, uint64_t n) {
  if (2 * (c->nbins + 1) > c->cap && !grow(c)) return !(c->oom = true);
  bin_slot *s = find_slot(c->bins, c->cap, name);
  if (!s->name) {
    size_t len = strlen(name) + 1; /* C11: no strdup */
    if (!(s->name = malloc(len))) return !(c->oom = true);
    memcpy(s->name, name, len);
    c->nbins++;
  }
  s->count = UINT64_MAX - s->count < n ? UINT64_MAX : s->count + n; /* saturates */
  return true;
}

uint64_t coverage_count(const coverage *c, const char *name) {
  if (!c->cap) return 0;
  const bin_slot *s = find_slot(c->bins, c->cap, name);
  return s->name ? s->count : 0;
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const coverage_entry *)a)->name, ((const coverage_entry *)b)->name);
}

bool coverage_sorted(const coverage *c, coverage_entry **out, size_t *n) {
  *out = NULL;
  *n = 0;
  if (!c->nbins) return true;
  coverage_entry *v = malloc(c->nbins * sizeof *v);
  if (!v) return false;
  size_t k = 0;
  for (size_t i = 0; i < c->cap; i++)
    if (c->bins[i].name) v[k++] = (coverage_entry){c->bins[i].name, c->bins[i].count};
  qsort(v, k, sizeof *v, by_name);
  *out = v;
  *n = k;
  return true;
}

/* A bin from parts: HIT(c, "translate/tlb=%s/...", U(tlb), ...), the format's conversions
 * only %s (a static string) and %u. */
#define U(x) ((uintptr_t)(x))
#define HIT0(c, name) hit(c, name, 0, no_args) /* a bin without arguments */
#define HIT(c, fmt, ...) \
  hit(c, fmt, sizeof((uintptr_t[]){__VA_ARGS__}) / sizeof(uintptr_t), (uintptr_t[]){__VA_ARGS__})

static const uintptr_t no_args[1];

static void format_name(char *out, size_t len, const char *fmt, const uintptr_t *a) {
  size_t n = 0;
  unsigned k = 0;
  for (const char *p = fmt; *p && n + 1 < len; p++) {
    char num[24];
    const char *put = NULL;
    if (p[0] == '%' && p[1] == 's') put = (const char *)a[k++];
    else if (p[0] == '%' && p[1] == 'u') {
      snprintf(num, sizeof num, "%u", (unsigned)a[k++]);
      put = num;
    }
    if (!put) {
      out[n++] = *p;
      continue;
    }
    p++;
    for (; *put && n + 1 < len; put++) out[n++] = *put;
  }
  out[n] = '\0';
}

static void hit(coverage *c, const char *fmt, size_t n, const uintptr_t *a) {
  uint64_t h = (uint64_t)(uintptr_t)fmt * UINT64_C(0x9E3779B97F4A7C15);
  for (size_t i = 0; i < n; i++) {
    h = (h ^ a[i]) * UINT64_C(0xFF51AFD7ED558CCD); /* MurmurHash3's finaliser steps */
    h ^= h >> 33;
  }
  size_t slot = (size_t)h & (MEMO_SLOTS - 1);
  memo *m = &c->memo[slot];
  if (m->fmt == fmt && n <= MEMO_ARGS && !memcmp(m->a, a, n * sizeof *a)) {
    bin_slot *s = &c->bins[m->bin];
    if (s->count < UINT64_MAX) s->count++;
    return;
  }
  char name[160];
  format_name(name, sizeof name, fmt, a);
  if (!coverage_add(c, name, 1) || n > MEMO_ARGS) return;
  m = &c->memo[slot]; /* (coverage_add may have cleared it) */
  m->fmt = fmt;
  memset(m->a, 0, sizeof m->a);
  memcpy(m->a, a, n * sizeof *a);
  m->bin = (size_t)(find_slot(c->bins, c->cap, name) - c->bins);
}

/* ---- The shadow of the walks (RTL hits) ------------------------------------------------------ */

static shadow_slot *shadow_find(shadow_slot *v, size_t cap, uint64_t key) {
  size_t i = (size_t)((key * UINT64_C(0x9E3779B97F4A7C15)) >> 20) & (cap - 1);
  while (v[i].key && v[i].key != key) i = (i + 1) & (cap - 1);
  return &v[i];
}

static void shadow_put(coverage *c, uint64_t key, unsigned shift, bool global) {
  if (2 * (c->nshadow + 1) > c->shadow_cap) {
    size_t cap = c->shadow_cap ? 2 * c->shadow_cap : 1024;
    shadow_slot *v = calloc(cap, sizeof *v);
    if (!v) return; /* only an RTL hit's size is the worse for it */
    for (size_t i = 0; i < c->shadow_cap; i++)
      if (c->shadow[i].key) *shadow_find(v, cap, c->shadow[i].key) = c->shadow[i];
    free(c->shadow);
    c->shadow = v;
    c->shadow_cap = cap;
  }
  shadow_slot *s = shadow_find(c->shadow, c->shadow_cap, key);
  if (!s->key) c->nshadow++;
  *s = (shadow_slot){.key = key, .shift = shift, .global = global};
}

/* key: the page number and its shift, never 0 */
static uint64_t shadow_key(uint32_t la, unsigned shift) {
  return ((uint64_t)(la >> shift) << 8) | shift;
}

static const unsigned shadow_shifts[] = {12, 21, 22};

static bool shadow_has(const coverage *c, uint32_t la, unsigned shift) {
  if (!c->shadow_cap) return false;
  const shadow_slot *s = shadow_find(c->shadow, c->shadow_cap, shadow_key(la, shift));
  return s->key && s->shift;
}

/* Every entry that maps `la` gone (INVLPG; a miss: no entry could be used, a dropped one went) */
static void shadow_forget(coverage *c, uint32_t la) {
  for (size_t i = 0; c->shadow_cap && i < 3; i++) {
    shadow_slot *s = shadow_find(c->shadow, c->shadow_cap, shadow_key(la, shadow_shifts[i]));
    if (s->key) s->shift = 0;
  }
}

/* A flush of every entry, or of the non-global ones (kind: pmmu_flush_kind, la for a page). */
static void shadow_flush(coverage *c, int kind, uint32_t la) {
  if (kind == PMMU_FLUSH_PAGE) {
    shadow_forget(c, la);
    return;
  }
  for (size_t i = 0; i < c->shadow_cap; i++)
    if (kind == PMMU_FLUSH_ALL || !c->shadow[i].global) c->shadow[i].shift = 0;
}

/* The size of the entry an RTL hit used, from a shadow of the TLB that knows the walks' fills
 * and the flushes (not the evictions): a 4 KiB entry is looked up first (docs/tlb.md), else a
 * large one. 0: unknown. */
static unsigned shadow_size(coverage *c, uint32_t la) {
  for (size_t i = 0; i < 3; i++)
    if (shadow_has(c, la, shadow_shifts[i])) return shadow_shifts[i];
  return 0;
}

/* ---- Dimensions -------------------------------------------------------------------------------- */

static const char *const tlbs[] = {"hit", "miss"};
static const char *const sizes[] = {"4k", "2m", "4m"};
static const char *const modes[] = {"32", "pse", "pae"};
static const char *const accesses[] = {"read", "write", "fetch"};
static const char *const privacs[] = {"user",   "user+ac",  "sup",
                                      "sup+ac", "implicit", "implicit+ac"};
static const char *const results[] = {"ok", "pf", "bus-error"};
static const char *const causes[] = {"np",      "rsvd",      "prot-user", "prot-write",
                                     "prot-xd", "prot-smep", "prot-smap"};
static const char *const levels[] = {"pdpte", "pde", "pte"};
static const char *const ads[] = {"none", "a", "d", "ad", "restart"};
static const char *const flush_kinds[] = {"nonglobal", "all", "page"};
static const char *const states[] = {"idle",     "answer", "read-wait", "read",
                                     "cas-wait", "cas",    "between",   "walk-end"};
static const char *const regs[] = {"cr0", "cr3", "cr4"};
static const char *const loads[] = {"loaded", "gp-rsvd", "gp-bus"};
static const char *const ops[] = {"read", "cas"};
static const char *const drops[] = {"rights", "clean-write"};
static const char *const policies[] = {"plru", "lru", "fifo", "random"};
/* timing bins: [lo, hi] and whether a hole there matters (the regression's memory timings
 * reach it) */
typedef struct range {
  const char *name;
  uint64_t lo, hi;
  bool matters;
} range;
static const range waits[] = {{"0", 0, 0, true},
                              {"1", 1, 1, true},
                              {"2-3", 2, 3, true},
                              {"4-15", 4, 15, false},
                              {"16+", 16, UINT64_MAX, false}};
static const range latencies[] = {{"1", 1, 1, true},      {"2", 2, 2, true},
                                  {"3-4", 3, 4, true},    {"5-8", 5, 8, true},
                                  {"9-64", 9, 64, false}, {"65+", 65, UINT64_MAX, false}};
static const range req_waits[] = {{"0", 0, 0, true},
                                  {"1-3", 1, 3, false},
                                  {"4-15", 4, 15, false},
                                  {"16+", 16, UINT64_MAX, false}};
static const range req_cycles[] = {
    {"1", 1, 1, true},       {"2-8", 2, 8, true},          {"9-16", 9, 16, true},
    {"17-64", 17, 64, true}, {"65-1024", 65, 1024, false}, {"1025+", 1025, UINT64_MAX, false}};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *range_name(const range *r, size_t n, uint64_t v) {
  for (size_t i = 0; i < n; i++)
    if (v >= r[i].lo && v <= r[i].hi) return r[i].name;
  return r[0].name; /* below the first: only 0 of a latency, which T4 rules out */
}

/* ---- Impossible bins: the reasons (docs/coverage.md says more) ------------------------------ */

static const char *translate_impossible(const char *size, const char *mode) {
  if (!strcmp(size, "2m") && strcmp(mode, "pae")) return "2 MiB pages exist only in PAE paging";
  if (!strcmp(size, "4m") && !strcmp(mode, "pae")) return "PAE large pages are 2 MiB";
  if (!strcmp(size, "4m") && !strcmp(mode, "32")) return "4 MiB pages need CR4.PSE";
  return NULL;
}

static const char *fault_impossible(const char *cause, const char *level, const char *mode,
                                    const char *access) {
  bool pae = !strcmp(mode, "pae");
  if (!strcmp(level, "pdpte") && !pae) return "PDPTEs exist only in PAE paging";
  if (!strcmp(level, "pdpte") && strcmp(cause, "np"))
    return "a PDPTE register is never a leaf, and one with a reserved bit is refused at its load "
           "(#GP)";
  if (!strcmp(cause, "rsvd") && !strcmp(mode, "32"))
    return "32-bit paging without PSE has no reserved bits";
  if (!strcmp(cause, "rsvd") && !strcmp(mode, "pse") && !strcmp(level, "pte"))
    return "a 32-bit PTE has no reserved bits";
  if (!strcmp(cause, "prot-xd") && !pae) return "XD exists only in PAE paging";
  if (!strncmp(cause, "prot", 4) && !strcmp(level, "pde") && !strcmp(mode, "32"))
    return "a leaf PDE (a large page) needs CR4.PSE";
  if (!strcmp(cause, "prot-write") && strcmp(access, "write")) return "only a write is denied W";
  if ((!strcmp(cause, "prot-xd") || !strcmp(cause, "prot-smep")) && strcmp(access, "fetch"))
    return "only a fetch is denied execution";
  if (!strcmp(cause, "prot-smap") && !strcmp(access, "fetch")) return "SMAP applies to data";
  return NULL;
}

static const char *fault_priv_impossible(const char *cause, const char *privac) {
  bool user = !strncmp(privac, "user", 4), implicit = !strncmp(privac, "implicit", 8);
  if (!strcmp(cause, "prot-user") && !user) return "only a user access is denied a supervisor page";
  if (!strcmp(cause, "prot-smep") && !(!user && !implicit))
    return "SMEP denies a supervisor's fetches (an implicit access never fetches)";
  if (!strcmp(cause, "prot-smap") && (user || !strcmp(privac, "sup+ac")))
    return "SMAP denies supervisor data accesses to user pages unless an explicit one has AC";
  if (!strcmp(cause, "prot-xd") && implicit) return "an implicit access never fetches";
  return NULL;
}

static const char *priv_impossible(const char *privac, const char *access) {
  if (!strncmp(privac, "implicit", 8) && !strcmp(access, "fetch"))
    return "an implicit access never fetches";
  return NULL;
}

static const char *ad_impossible(const char *ad, const char *tlb, const char *access) {
  if (!strcmp(tlb, "hit") && strcmp(ad, "none")) return "a hit makes no walk, so no A/D update";
  if ((!strcmp(ad, "d") || !strcmp(ad, "ad")) && strcmp(access, "write"))
    return "only a write sets D";
  return NULL;
}

static const char *flush_impossible(const char *state) {
  if (!strcmp(state, "between"))
    return "T4: each walk access is presented in the cycle after the previous response";
  return NULL;
}

/* ---- The universe ----------------------------------------------------------------------------- */

typedef void (*bin_fn)(void *ctx, const coverage_bin *bin);

static void emit(bin_fn fn, void *ctx, const char *group, const char *impossible, bool matters,
                 const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;
static void emit(bin_fn fn, void *ctx, const char *group, const char *impossible, bool matters,
                 const char *fmt, ...) {
  char name[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(name, sizeof name, fmt, ap);
  va_end(ap);
  coverage_bin b = {
      .name = name, .group = group, .impossible = impossible, .matters = matters && !impossible};
  fn(ctx, &b);
}

/* The geometries recorded: bins "run/setup=SxWxL_POLICY". */
typedef struct setup_list {
  unsigned ways[N(policies)], large[N(policies)]; /* the most of each policy's geometries */
} setup_list;

static void collect_setups(const coverage *c, setup_list *l) {
  memset(l, 0, sizeof *l);
  for (size_t i = 0; i < c->cap; i++) {
    unsigned s, w, lg;
    char pol[16];
    const char *n = c->bins[i].name;
    if (!n || sscanf(n, "run/setup=%ux%ux%u_%15s", &s, &w, &lg, pol) != 4) continue;
    for (size_t p = 0; p < N(policies); p++) {
      if (strcmp(pol, policies[p]) != 0) continue;
      if (w <= 16 && w > l->ways[p]) l->ways[p] = w;
      if (lg <= 64 && lg > l->large[p]) l->large[p] = lg;
    }
  }
}

void coverage_universe(const coverage *c, bin_fn fn, void *ctx) {
  for (size_t t = 0; t < N(tlbs); t++)
    for (size_t s = 0; s < N(sizes); s++)
      for (size_t m = 0; m < N(modes); m++)
        for (size_t a = 0; a < N(accesses); a++)
          emit(fn, ctx, "translate", translate_impossible(sizes[s], modes[m]), true,
               "translate/tlb=%s/size=%s/mode=%s/access=%s", tlbs[t], sizes[s], modes[m],
               accesses[a]);
  for (size_t p = 0; p < N(privacs); p++)
    for (size_t a = 0; a < N(accesses); a++)
      emit(fn, ctx, "off", priv_impossible(privacs[p], accesses[a]), true, "off/priv=%s/access=%s",
           privacs[p], accesses[a]);
  for (size_t k = 0; k < N(causes); k++)
    for (size_t l = 0; l < N(levels); l++)
      for (size_t m = 0; m < N(modes); m++)
        for (size_t a = 0; a < N(accesses); a++)
          emit(fn, ctx, "fault", fault_impossible(causes[k], levels[l], modes[m], accesses[a]),
               true, "fault/cause=%s/level=%s/mode=%s/access=%s", causes[k], levels[l], modes[m],
               accesses[a]);
  for (size_t k = 0; k < N(causes); k++)
    for (size_t p = 0; p < N(privacs); p++)
      emit(fn, ctx, "fault-priv", fault_priv_impossible(causes[k], privacs[p]), true,
           "fault-priv/cause=%s/priv=%s", causes[k], privacs[p]);
  for (size_t p = 0; p < N(privacs); p++)
    for (size_t a = 0; a < N(accesses); a++)
      for (size_t r = 0; r < N(results); r++)
        emit(fn, ctx, "priv", priv_impossible(privacs[p], accesses[a]), true,
             "priv/priv=%s/access=%s/result=%s", privacs[p], accesses[a], results[r]);
  for (size_t d = 0; d < N(ads); d++)
    for (size_t t = 0; t < N(tlbs); t++)
      for (size_t a = 0; a < N(accesses); a++)
        for (size_t m = 0; m < N(modes); m++)
          emit(fn, ctx, "ad", ad_impossible(ads[d], tlbs[t], accesses[a]), true,
               "ad/ad=%s/tlb=%s/access=%s/mode=%s", ads[d], tlbs[t], accesses[a], modes[m]);
  for (size_t o = 0; o < N(ops); o++)
    for (size_t l = 1; l < N(levels); l++)
      for (size_t m = 0; m < N(modes); m++)
        emit(fn, ctx, "bus-error", NULL, true, "bus-error/op=%s/level=%s/mode=%s", ops[o],
             levels[l], modes[m]);
  for (size_t r = 0; r < N(regs); r++)
    for (size_t l = 0; l < N(loads); l++)
      emit(fn, ctx, "pdpte", NULL, true, "pdpte/reg=%s/result=%s", regs[r], loads[l]);
  for (size_t k = 0; k < N(flush_kinds); k++)
    for (size_t s = 0; s < N(states); s++)
      emit(fn, ctx, "flush", flush_impossible(states[s]), true, "flush/kind=%s/state=%s",
           flush_kinds[k], states[s]);
  for (size_t r = 0; r < N(drops); r++)
    for (size_t a = 0; a < N(accesses); a++)
      emit(fn, ctx, "drop",
           !strcmp(drops[r], "clean-write") && strcmp(accesses[a], "write")
               ? "only a write is refused an entry whose D is 0"
               : NULL,
           true, "drop/reason=%s/access=%s", drops[r], accesses[a]);
  for (size_t o = 0; o < N(ops); o++)
    for (size_t w = 0; w < N(waits); w++)
      emit(fn, ctx, "mem-wait", NULL, waits[w].matters, "mem-wait/op=%s/cycles=%s", ops[o],
           waits[w].name);
  for (size_t o = 0; o < N(ops); o++)
    for (size_t l = 0; l < N(latencies); l++)
      emit(fn, ctx, "mem-latency", NULL, latencies[l].matters, "mem-latency/op=%s/cycles=%s",
           ops[o], latencies[l].name);
  for (size_t w = 0; w < N(req_waits); w++)
    emit(fn, ctx, "req-wait", NULL, req_waits[w].matters, "req-wait/cycles=%s", req_waits[w].name);
  static const char *const req_tlbs[] = {"hit", "miss", "off"};
  for (size_t t = 0; t < N(req_cycles); t++)
    for (size_t h = 0; h < N(req_tlbs); h++)
      emit(fn, ctx, "req-cycles",
           h != 1 && t != 0
               ? (h == 0 ? "T3: a hit answers in A + 1" : "T2: paging off answers in A + 1")
               : NULL,
           req_cycles[t].matters, "req-cycles/tlb=%s/cycles=%s", req_tlbs[h], req_cycles[t].name);
  setup_list l;
  collect_setups(c, &l);
  for (size_t p = 0; p < N(policies); p++) {
    static const char *const kinds[] = {"fill", "evict"};
    for (unsigned w = 0; w < l.ways[p]; w++)
      for (size_t k = 0; k < 2; k++)
        emit(fn, ctx, "victim", NULL, true, "victim/policy=%s/array=4k/way=%u/%s", policies[p], w,
             kinds[k]);
    for (unsigned w = 0; w < l.large[p]; w++)
      for (size_t k = 0; k < 2; k++)
        emit(fn, ctx, "victim", NULL, true, "victim/policy=%s/array=large/way=%u/%s", policies[p],
             w, kinds[k]);
  }
}

/* ---- Recording ------------------------------------------------------------------------------- */

static const char *mode_of(const pmmu_control *ctl) {
  if (!(ctl->cr0 & PMMU_CR0_PG)) return NULL;
  if (ctl->cr4 & PMMU_CR4_PAE) return "pae";
  return ctl->cr4 & PMMU_CR4_PSE ? "pse" : "32";
}

static const char *privac_of(const pmmu_request *req) {
  static const char *const base[] = {"sup", "user", "implicit"};
  static const char *const ac[] = {"sup+ac", "user+ac", "implicit+ac"};
  return req->ac ? ac[req->priv] : base[req->priv];
}

static bool cas_failed(const pmmu_mem_txn *t) {
  return t->op == PMMU_MEM_CAS && !t->bus_error && t->data != t->expected;
}

/* The walk that gave the response: the accesses after the last failed compare-and-swap. */
static unsigned final_walk(const engine_event *ev) {
  unsigned start = 0;
  for (unsigned i = 0; i < ev->ntxns; i++)
    if (cas_failed(&ev->txns[i])) start = i + 1;
  return start;
}

/* The reads of the final walk, top-down (at most 2: the PDE and the PTE). */
static unsigned final_reads(const engine_event *ev, const pmmu_mem_txn *out[2]) {
  unsigned n = 0;
  for (unsigned i = final_walk(ev); i < ev->ntxns; i++)
    if (ev->txns[i].op == PMMU_MEM_READ && n < 2) out[n++] = &ev->txns[i];
  return n;
}

/* The level of the entry the walk stopped at: its reads (PAE: the PDPTE is a register). */
static const char *level_of(unsigned reads, bool pae) {
  if (reads == 0) return pae ? "pdpte" : "pde";
  return reads == 1 ? "pde" : "pte";
}

/* Why a protection #PF (x86-paging.md section 5) denied the access, from the entries the walk
 * read and the control state; the first reason of several. */
static const char *protection_cause(const engine_event *ev) {
  const pmmu_mem_txn *r[2];
  unsigned n = final_reads(ev, r);
  const pmmu_request *q = ev->req;
  bool pae = ev->ctl.cr4 & PMMU_CR4_PAE, nxe = pae && (ev->ctl.efer & PMMU_EFER_NXE);
  bool u = true, w = true, xd = false;
  for (unsigned i = 0; i < n; i++) {
    u = u && (r[i]->data & PMMU_PTE_US);
    w = w && (r[i]->data & PMMU_PTE_RW);
    xd = xd || (nxe && (r[i]->data & PMMU_PTE_XD));
  }
  bool fetch = q->access == PMMU_FETCH, user = q->priv == PMMU_USER;
  bool smap_applies = q->priv == PMMU_IMPLICIT || (q->priv == PMMU_SUPERVISOR && !q->ac);
  if (user && !u) return "prot-user";
  if (fetch && xd) return "prot-xd";
  if (fetch && !user && u && (ev->ctl.cr4 & PMMU_CR4_SMEP)) return "prot-smep";
  if (!fetch && smap_applies && u && (ev->ctl.cr4 & PMMU_CR4_SMAP)) return "prot-smap";
  if (q->access == PMMU_WRITE && !w) return "prot-write";
  return "prot-unexplained"; /* not in the universe: reported as an unknown bin */
}

static const char *ad_of(const engine_event *ev) {
  uint64_t set = 0;
  for (unsigned i = 0; i < ev->ntxns; i++) {
    const pmmu_mem_txn *t = &ev->txns[i];
    if (cas_failed(t)) return "restart";
    if (t->op == PMMU_MEM_CAS) set |= t->desired & ~t->expected;
  }
  bool a = set & PMMU_PTE_A, d = set & PMMU_PTE_D;
  return a && d ? "ad" : d ? "d" : a ? "a" : "none";
}

static const char *size_name(unsigned shift) {
  return shift == 12 ? "4k" : shift == 21 ? "2m" : shift == 22 ? "4m" : "unknown";
}

/* Where the walker was when a flush came during a request (timing.md T4, T6, T7). */
static const char *flush_state(const engine_event *ev) {
  uint64_t f = ev->flush->cycle, r = ev->resp->response_cycle;
  if (f > r) return "idle";
  if (ev->ntxns == 0) return "answer";
  for (unsigned i = 0; i < ev->ntxns; i++) {
    const pmmu_mem_txn *t = &ev->txns[i];
    bool cas = t->op == PMMU_MEM_CAS;
    if (f >= t->present_cycle && f < t->accept_cycle) return cas ? "cas-wait" : "read-wait";
    if (f >= t->accept_cycle && f <= t->response_cycle) return cas ? "cas" : "read";
  }
  return f == r ? "walk-end" : "between";
}

static const char *const flush_names[] = {"nonglobal", "all", "page"};

static void record_victim(coverage *c, engine_t *e, const engine_event *ev) {
  pmmu_t *m = engine_model(e);
  pmmu_tlb_slot now;
  if (!m || !pmmu_tlb_lookup(m, ev->req->la, &now)) return; /* the fill was cancelled (T7) */
  bool was_valid =
      now.large ? (now.way < 64 && c->valid_large[now.way]) : (now.way < 16 && c->valid4k[now.way]);
  /* an entry dropped at lookup and refilled in its own slot is a fill */
  if (c->had_entry && c->before_slot.large == now.large && c->before_slot.way == now.way &&
      c->before_slot.set == now.set)
    was_valid = false;
  HIT(c, "victim/policy=%s/array=%s/way=%u/%s", U(pmmu_policy_name(c->setup.policy)),
      U(now.large ? "large" : "4k"), U(now.way), U(was_valid ? "evict" : "fill"));
}

static void record_translate(coverage *c, engine_t *e, const engine_event *ev) {
  const pmmu_request *q = ev->req;
  const pmmu_response *r = ev->resp;
  const char *mode = mode_of(&ev->ctl), *privac = privac_of(q), *acc = pmmu_access_name(q->access);
  bool pae = ev->ctl.cr4 & PMMU_CR4_PAE;
  const char *tlb = r->tlb == PMMU_TLB_HIT ? "hit" : "miss";
  HIT0(c, "run/op=translate");
  HIT(c, "priv/priv=%s/access=%s/result=%s", U(privac), U(acc),
      U(r->outcome == PMMU_OK           ? "ok"
        : r->outcome == PMMU_PAGE_FAULT ? "pf"
                                        : "bus-error"));
  if (!mode) {
    HIT(c, "off/priv=%s/access=%s", U(privac), U(acc));
  } else if (r->outcome == PMMU_OK) {
    const pmmu_mem_txn *rd[2];
    unsigned reads = final_reads(ev, rd), shift = 0;
    pmmu_tlb_slot slot;
    if (r->tlb == PMMU_TLB_MISS) {
      shift = reads == 2 ? 12 : pae ? 21 : 22;
      bool global = reads && (rd[reads - 1]->data & PMMU_PTE_G) && (ev->ctl.cr4 & PMMU_CR4_PGE);
      shadow_forget(c, q->la);
      /* T7: a flush during the walk cancels its fill */
      if (!ev->flush || ev->flush->cycle > r->response_cycle)
        shadow_put(c, shadow_key(q->la, shift), shift, global);
    } else if (engine_model(e) && pmmu_tlb_lookup(engine_model(e), q->la, &slot)) {
      shift = slot.entry.page_shift;
    } else {
      shift = shadow_size(c, q->la);
    }
    HIT(c, "translate/tlb=%s/size=%s/mode=%s/access=%s", U(tlb), U(size_name(shift)), U(mode),
        U(acc));
    HIT(c, "ad/ad=%s/tlb=%s/access=%s/mode=%s", U(r->tlb == PMMU_TLB_HIT ? "none" : ad_of(ev)),
        U(tlb), U(acc), U(mode));
    if (r->tlb == PMMU_TLB_MISS && engine_model(e)) record_victim(c, e, ev);
  } else if (r->outcome == PMMU_PAGE_FAULT) {
    const pmmu_mem_txn *rd[2];
    unsigned reads = final_reads(ev, rd);
    const char *cause = (r->error_code & PMMU_EC_RSVD) ? "rsvd"
                        : !(r->error_code & PMMU_EC_P) ? "np"
                                                       : protection_cause(ev);
    HIT(c, "fault/cause=%s/level=%s/mode=%s/access=%s", U(cause), U(level_of(reads, pae)), U(mode),
        U(acc));
    HIT(c, "fault-priv/cause=%s/priv=%s", U(cause), U(privac));
  } else { /* a bus error: which access of the final walk */
    unsigned start = final_walk(ev), nreads = 0;
    for (unsigned i = start; i < ev->ntxns; i++) {
      const pmmu_mem_txn *t = &ev->txns[i];
      if (t->op == PMMU_MEM_READ) nreads++;
      if (!t->bus_error) continue;
      unsigned level = nreads; /* a read: its own; a CAS: the entry read at its address */
      if (t->op == PMMU_MEM_CAS)
        for (unsigned k = start, n = 0; k < i; k++)
          if (ev->txns[k].op == PMMU_MEM_READ && ++n && ev->txns[k].pa == t->pa) level = n;
      HIT(c, "bus-error/op=%s/level=%s/mode=%s", U(t->op == PMMU_MEM_CAS ? "cas" : "read"),
          U(level <= 1 ? "pde" : "pte"), U(mode));
      break;
    }
  }
  if (c->had_entry && r->tlb == PMMU_TLB_MISS)
    HIT(c, "drop/reason=%s/access=%s",
        U(q->access == PMMU_WRITE && !c->before_slot.entry.d ? "clean-write" : "rights"), U(acc));
  if (ev->flush) {
    HIT(c, "flush/kind=%s/state=%s", U(flush_names[ev->flush->kind]), U(flush_state(ev)));
    shadow_flush(c, (int)ev->flush->kind, ev->flush->la);
  }
  for (unsigned i = 0; i < ev->ntxns; i++) {
    const pmmu_mem_txn *t = &ev->txns[i];
    const char *op = t->op == PMMU_MEM_CAS ? "cas" : "read";
    HIT(c, "mem-wait/op=%s/cycles=%s", U(op),
        U(range_name(waits, N(waits), t->accept_cycle - t->present_cycle)));
    HIT(c, "mem-latency/op=%s/cycles=%s", U(op),
        U(range_name(latencies, N(latencies), t->response_cycle - t->accept_cycle)));
  }
  HIT(c, "req-wait/cycles=%s", U(range_name(req_waits, N(req_waits), r->accept_cycle - q->cycle)));
  HIT(c, "req-cycles/tlb=%s/cycles=%s", U(mode ? tlb : "off"),
      U(range_name(req_cycles, N(req_cycles), r->response_cycle - r->accept_cycle)));
}

static void record_reg(coverage *c, const engine_event *ev) {
  HIT0(c, "run/op=reg-write");
  const pmmu_reg_result *res = ev->res;
  if ((res->pdptes_loaded || res->gp_fault) && ev->reg != REG_EFER) {
    bool bus = false;
    for (unsigned i = 0; i < ev->ntxns; i++) bus = bus || ev->txns[i].bus_error;
    HIT(c, "pdpte/reg=%s/result=%s", U(engine_reg_name(ev->reg)),
        U(!res->gp_fault ? "loaded"
          : bus          ? "gp-bus"
                         : "gp-rsvd"));
  }
  if (ev->flush_kind >= 0 && ev->flush_kind <= PMMU_FLUSH_PAGE) {
    HIT(c, "flush/kind=%s/state=idle", U(flush_names[ev->flush_kind]));
    shadow_flush(c, ev->flush_kind, 0);
  }
}

static void obs_created(void *ctx, engine_kind kind, const engine_setup *s) {
  coverage *c = ctx;
  c->setup = *s;
  c->nshadow = 0; /* a new engine: a TLB of its own */
  if (c->shadow) memset(c->shadow, 0, c->shadow_cap * sizeof *c->shadow);
  HIT(c, "run/engine=%s", U(engine_kind_name(kind)));
  HIT(c, "run/setup=%ux%ux%u_%s", U(s->tlb_sets), U(s->tlb_ways), U(s->tlb_large),
      U(pmmu_policy_name(s->policy)));
}

static void obs_before(void *ctx, engine_t *e, const pmmu_request *req) {
  coverage *c = ctx;
  pmmu_t *m = engine_model(e);
  c->had_entry = false;
  if (!m) return;
  c->had_entry = pmmu_tlb_lookup(m, req->la, &c->before_slot);
  unsigned set = (req->la >> 12) & (c->setup.tlb_sets - 1);
  pmmu_tlb_entry ent;
  for (unsigned w = 0; w < 16; w++)
    c->valid4k[w] =
        w < c->setup.tlb_ways && pmmu_tlb_read(m, false, set, w, &ent) == PMMU_E_OK && ent.valid;
  for (unsigned w = 0; w < 64; w++)
    c->valid_large[w] =
        w < c->setup.tlb_large && pmmu_tlb_read(m, true, 0, w, &ent) == PMMU_E_OK && ent.valid;
}

static void obs_event(void *ctx, engine_t *e, const engine_event *ev) {
  coverage *c = ctx;
  switch (ev->kind) {
  case ENGINE_EV_TRANSLATE: record_translate(c, e, ev); break;
  case ENGINE_EV_REG_WRITE: record_reg(c, ev); break;
  case ENGINE_EV_INVLPG:
    HIT0(c, "run/op=invlpg");
    HIT0(c, "flush/kind=page/state=idle");
    shadow_flush(c, PMMU_FLUSH_PAGE, ev->la);
    break;
  }
}

/* ---- Life cycle -------------------------------------------------------------------------- */

coverage *coverage_create(void) {
  coverage *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  if (!(c->memo = calloc(MEMO_SLOTS, sizeof *c->memo)) || !grow(c)) {
    free(c->memo);
    free(c);
    return NULL;
  }
  c->obs =
      (engine_observer){.created = obs_created, .before = obs_before, .event = obs_event, .ctx = c};
  return c;
}

void coverage_destroy(coverage *c) {
  if (!c) return;
  for (size_t i = 0; i < c->cap; i++) free(c->bins[i].name);
  free(c->bins);
  free(c->memo);
  free(c->shadow);
  free(c);
}

const engine_observer *coverage_observer(coverage *c) { return &c->obs; }
