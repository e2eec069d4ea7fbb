/* The TLB arrays and the four replacement policies, exactly as docs/tlb.md states them. */
#include "tlb.h"

#include <stdlib.h>
#include <string.h>

static unsigned log2u(unsigned n) {
  unsigned l = 0;
  while ((1u << l) < n) l++;
  return l;
}

/* docs/tlb.md, tree pseudo-LRU: the bits on way's path point away from it. Run once per way
 * at init; a hit applies the masks it leaves (tlb_touch). */
static void plru_touch(uint64_t *bits, unsigned ways, unsigned way) {
  unsigned levels = log2u(ways);
  unsigned node = 1;
  for (unsigned l = 0; l < levels; l++) {
    unsigned right = (way >> (levels - 1 - l)) & 1u;  /* w's side of this node */
    if (right) *bits &= ~(UINT64_C(1) << (node - 1)); /* point away: left */
    else *bits |= UINT64_C(1) << (node - 1);
    node = 2 * node + right;
  }
}

static unsigned plru_victim(uint64_t bits, unsigned ways);

static bool array_init(tlb_array *a, unsigned sets, unsigned ways) {
  a->sets = sets;
  a->ways = ways;
  a->set_mask = sets - 1;
  a->way_shift = log2u(ways);
  a->entries = calloc((size_t)sets * ways, sizeof *a->entries);
  a->tree = calloc(sets, sizeof *a->tree);
  a->rank = calloc((size_t)sets * ways, sizeof *a->rank);
  a->fifo = calloc(sets, sizeof *a->fifo);
  if (!a->entries || !a->tree || !a->rank || !a->fifo) return false;
  for (unsigned w = 0; w < ways; w++) {
    a->plru_keep[w] = ~UINT64_C(0);
    plru_touch(&a->plru_keep[w], ways, w);
    a->plru_set[w] = 0;
    plru_touch(&a->plru_set[w], ways, w);
  }
  for (unsigned bits = 0; ways <= 8 && bits < (1u << (ways - 1)); bits++)
    a->plru_victim_of[bits] = (uint8_t)plru_victim(bits, ways);
  return true;
}

static void array_free(tlb_array *a) {
  free(a->entries);
  free(a->tree);
  free(a->rank);
  free(a->fifo);
  memset(a, 0, sizeof *a);
}

static void array_reset(tlb_array *a, uint16_t seed) {
  for (unsigned i = 0; i < a->sets * a->ways; i++)
    a->entries[i] = (tlb_entry){.key = TLB_KEY_INVALID};
  memset(a->tree, 0, a->sets * sizeof *a->tree);
  memset(a->fifo, 0, a->sets * sizeof *a->fifo);
  for (unsigned s = 0; s < a->sets; s++)
    for (unsigned w = 0; w < a->ways; w++) a->rank[s * a->ways + w] = (uint8_t)w;
  a->lfsr = seed;
}

bool tlb_init(tlb *t, const pmmu_config *cfg) {
  memset(t, 0, sizeof *t);
  t->policy = cfg->policy;
  t->seed = cfg->lfsr_seed;
  if (!array_init(&t->small, cfg->tlb_sets, cfg->tlb_ways) ||
      !array_init(&t->large, 1, cfg->tlb_large)) {
    tlb_free(t);
    return false;
  }
  tlb_reset(t);
  return true;
}

void tlb_free(tlb *t) {
  array_free(&t->small);
  array_free(&t->large);
}

static void count_large(tlb *t) {
  t->large_live = 0;
  for (unsigned w = 0; w < t->large.ways; w++)
    if (!(t->large.entries[w].key & TLB_KEY_INVALID)) t->large_live++;
}

void tlb_reset(tlb *t) {
  array_reset(&t->small, t->seed);
  array_reset(&t->large, t->seed);
  t->undo.armed = false;
  t->large_live = 0;
  t->allow_key = 0;
  t->fast_cr0 = t->fast_cr4 = UINT64_MAX;
}

static tlb_entry *entry_at(tlb_array *a, unsigned set, unsigned way) {
  return &a->entries[(set << a->way_shift) + way]; /* a shift: ways is a power of two */
}

static unsigned small_set(const tlb_array *a, uint32_t la) { return (la >> 12) & (a->sets - 1); }

static bool valid(const tlb_entry *e) { return !(e->key & TLB_KEY_INVALID); }

/* Valid and mapping la. (The valid test is needed: a never-filled entry has shift 0 and the
 * key 0x80000000, which LA 0x80000000 >> 0 equals. It comes second, as it rarely decides.) */
static bool maps(const tlb_entry *e, uint32_t la) { return (la >> e->shift) == e->key && valid(e); }

bool tlb_locate(const tlb *t, uint32_t la, tlb_pos *pos) {
  unsigned set = small_set(&t->small, la);
  for (unsigned w = 0; w < t->small.ways; w++) {
    if (maps(&t->small.entries[set * t->small.ways + w], la)) {
      *pos = (tlb_pos){false, set, w};
      return true;
    }
  }
  for (unsigned w = 0; w < t->large.ways; w++) {
    if (maps(&t->large.entries[w], la)) {
      *pos = (tlb_pos){true, 0, w};
      return true;
    }
  }
  return false;
}

void tlb_read(const tlb *t, bool large, unsigned set, unsigned way, pmmu_tlb_entry *out) {
  const tlb_array *a = large ? &t->large : &t->small;
  const tlb_entry *e = &a->entries[set * a->ways + way];
  /* Padding zeroed too, as when the arrays held pmmu_tlb_entry themselves: callers compare
   * entries with memcmp (the SystemC tests' TLB images). */
  memset(out, 0, sizeof *out);
  out->valid = valid(e);
  out->vpn = e->key & ~TLB_KEY_INVALID;
  out->page_shift = e->shift;
  out->frame_pa = e->frame_pa;
  out->u = (e->rights & TLB_R_U) != 0;
  out->w = (e->rights & TLB_R_W) != 0;
  out->x = (e->rights & TLB_R_X) != 0;
  out->d = (e->rights & TLB_R_D) != 0;
  out->g = e->g != 0;
  out->attr = e->attr;
}

const tlb_entry *tlb_use_large(tlb *t, const pmmu_control *ctl, const pmmu_request *req,
                               tlb_entry **match) {
  tlb_array *a = &t->large;
  *match = NULL;
  if (!t->large_live) return NULL;
  for (unsigned w = 0; w < a->ways; w++) {
    tlb_entry *e = &a->entries[w];
    if (!maps(e, req->la)) continue;
    if (!tlb_allows(t, ctl, e, req)) {
      *match = e;
      return NULL;
    }
    tlb_touch(t, a, 0, w);
    return e;
  }
  return NULL;
}

/* ---- The permission table (x86-paging.md section 5, timing.md T3) -------------------- */

void tlb_build_allow(tlb *t, const pmmu_control *ctl, uint32_t key) {
  for (unsigned kind = 0; kind < TLB_REQ_KINDS; kind++) {
    pmmu_request req = {.access = (pmmu_access)(kind / 8u),
                        .priv = (pmmu_priv)(kind / 2u % 4u),
                        .ac = (kind & 1u) != 0};
    t->allow[kind] = 0;
    if (req.priv > PMMU_IMPLICIT) continue; /* no such request */
    uint16_t allow = 0;
    for (unsigned r = 0; r < 16; r++) {
      bool ok = pmmu_rights_denial(ctl, r & TLB_R_U, r & TLB_R_W, r & TLB_R_X, &req) == NULL;
      if (req.access == PMMU_WRITE && !(r & TLB_R_D)) ok = false; /* T3: a write to clean */
      if (ok) allow |= (uint16_t)(1u << r);
    }
    t->allow[kind] = allow;
  }
  t->allow_key = key;
}

void tlb_judge(tlb *t, const pmmu_control *ctl) {
  uint32_t key = tlb_allow_key(ctl);
  if (key != t->allow_key) tlb_build_allow(t, ctl, key);
  /* lru's touch is a loop over the set's ranks (tlb_lru_touch); fifo and random change
   * nothing on a hit, which the plru masks of a tree they never read do no harm to */
  bool fast = (ctl->cr0 & PMMU_CR0_PG) && t->policy != PMMU_POLICY_LRU;
  t->fast_cr0 = fast ? ctl->cr0 : UINT64_MAX;
  t->fast_cr4 = fast ? ctl->cr4 : UINT64_MAX;
}

/* ---- Policies ---------------------------------------------------------------------- */

static unsigned plru_victim(uint64_t bits, unsigned ways) {
  unsigned node = 1;
  while (node < ways) node = 2 * node + (unsigned)((bits >> (node - 1)) & 1u);
  return node - ways;
}

void tlb_lru_touch(tlb_array *a, unsigned set, unsigned way) {
  uint8_t *rank = &a->rank[set * a->ways];
  uint8_t was = rank[way];
  for (unsigned w = 0; w < a->ways; w++)
    if (rank[w] < was) rank[w]++;
  rank[way] = 0;
}

static unsigned lru_victim(const uint8_t *rank, unsigned ways) {
  for (unsigned w = 0; w < ways; w++)
    if (rank[w] == ways - 1) return w;
  return 0; /* unreachable: ranks are a permutation */
}

static uint16_t lfsr_step(uint16_t s) {
  unsigned bit = (s ^ (s >> 2) ^ (s >> 3) ^ (s >> 5)) & 1u;
  return (uint16_t)((s >> 1) | (bit << 15));
}

/* The victim of a full set; steps the LFSR as docs/tlb.md says. */
static unsigned take_victim(tlb *t, tlb_array *a, unsigned set) {
  unsigned way = 0;
  switch (t->policy) {
  case PMMU_POLICY_PLRU:
    way = a->ways <= 8 ? a->plru_victim_of[a->tree[set]] : plru_victim(a->tree[set], a->ways);
    break;
  case PMMU_POLICY_LRU: way = lru_victim(&a->rank[set * a->ways], a->ways); break;
  case PMMU_POLICY_FIFO: way = a->fifo[set]; break;
  case PMMU_POLICY_RANDOM:
    way = a->lfsr & (a->ways - 1);
    a->lfsr = lfsr_step(a->lfsr);
    break;
  }
  return way;
}

/* The lowest-numbered invalid way, else the policy's victim. (One mask of the set's invalid
 * ways rather than a loop that stops at the first: a walk usually fills a full set.) */
static unsigned choose_way(tlb *t, tlb_array *a, unsigned set) {
  uint64_t invalid = tlb_invalid_ways(entry_at(a, set, 0), a->ways);
  if (invalid) return tlb_lowest_bit(invalid);
  return take_victim(t, a, set);
}

static void arm_undo(tlb *t, tlb_array *a, unsigned set) {
  tlb_undo *u = &t->undo;
  u->armed = true;
  u->array = a;
  u->set = set;
  u->old_tree = a->tree[set];
  if (t->policy == PMMU_POLICY_LRU) memcpy(u->old_rank, &a->rank[set * a->ways], a->ways);
  u->old_fifo = a->fifo[set];
  u->old_lfsr = a->lfsr;
}

void tlb_fill(tlb *t, const pmmu_tlb_entry *entry) {
  tlb_array *a = entry->page_shift == 12 ? &t->small : &t->large;
  unsigned set = a == &t->small ? small_set(a, entry->vpn << 12) : 0;
  arm_undo(t, a, set);
  unsigned way = choose_way(t, a, set);
  t->undo.way = way;
  t->undo.old_entry = *entry_at(a, set, way);
  *entry_at(a, set, way) =
      (tlb_entry){.key = entry->valid ? entry->vpn : entry->vpn | TLB_KEY_INVALID,
                  .shift = (uint8_t)entry->page_shift,
                  .rights = (uint8_t)((entry->u ? TLB_R_U : 0u) | (entry->w ? TLB_R_W : 0u) |
                                      (entry->x ? TLB_R_X : 0u) | (entry->d ? TLB_R_D : 0u)),
                  .attr = (uint8_t)entry->attr,
                  .g = entry->g,
                  .frame_pa = entry->frame_pa};
  if (t->policy == PMMU_POLICY_FIFO) a->fifo[set] = (uint8_t)((way + 1) % a->ways);
  tlb_touch(t, a, set, way);
  if (a == &t->large) count_large(t);
}

bool tlb_undo_fill(tlb *t) {
  tlb_undo *u = &t->undo;
  if (!u->armed) return false;
  tlb_array *a = u->array;
  *entry_at(a, u->set, u->way) = u->old_entry;
  a->tree[u->set] = u->old_tree;
  if (t->policy == PMMU_POLICY_LRU) memcpy(&a->rank[u->set * a->ways], u->old_rank, a->ways);
  a->fifo[u->set] = u->old_fifo;
  a->lfsr = u->old_lfsr;
  u->armed = false;
  if (a == &t->large) count_large(t);
  return true;
}

static unsigned flush_array(tlb_array *a, pmmu_flush_kind kind, uint32_t la) {
  unsigned cleared = 0;
  for (unsigned i = 0; i < a->sets * a->ways; i++) {
    tlb_entry *e = &a->entries[i];
    bool clear = false;
    switch (kind) {
    case PMMU_FLUSH_ALL: clear = valid(e); break;
    case PMMU_FLUSH_NONGLOBAL: clear = valid(e) && !e->g; break;
    case PMMU_FLUSH_PAGE: clear = maps(e, la); break;
    }
    if (clear) {
      e->key |= TLB_KEY_INVALID;
      cleared++;
    }
  }
  return cleared;
}

unsigned tlb_flush(tlb *t, pmmu_flush_kind kind, uint32_t la) {
  unsigned cleared = flush_array(&t->small, kind, la) + flush_array(&t->large, kind, la);
  count_large(t);
  return cleared;
}
