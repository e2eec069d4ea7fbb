/* The TLB arrays and the four replacement policies, exactly as docs/tlb.md states them. */
#include "tlb.h"

#include <stdlib.h>
#include <string.h>

static unsigned log2u(unsigned n) {
  unsigned l = 0;
  while ((1u << l) < n) l++;
  return l;
}

static bool array_init(tlb_array *a, unsigned sets, unsigned ways) {
  a->sets = sets;
  a->ways = ways;
  a->entries = calloc((size_t)sets * ways, sizeof *a->entries);
  a->tree = calloc(sets, sizeof *a->tree);
  a->rank = calloc((size_t)sets * ways, sizeof *a->rank);
  a->fifo = calloc(sets, sizeof *a->fifo);
  return a->entries && a->tree && a->rank && a->fifo;
}

static void array_free(tlb_array *a) {
  free(a->entries);
  free(a->tree);
  free(a->rank);
  free(a->fifo);
  memset(a, 0, sizeof *a);
}

static void array_reset(tlb_array *a, uint16_t seed) {
  memset(a->entries, 0, (size_t)a->sets * a->ways * sizeof *a->entries);
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

void tlb_reset(tlb *t) {
  array_reset(&t->small, t->seed);
  array_reset(&t->large, t->seed);
  t->undo.armed = false;
}

static pmmu_tlb_entry *entry_at(tlb_array *a, unsigned set, unsigned way) {
  return &a->entries[set * a->ways + way];
}

static unsigned small_set(const tlb_array *a, uint32_t la) { return (la >> 12) & (a->sets - 1); }

static bool maps(const pmmu_tlb_entry *e, uint32_t la) {
  return e->valid && (la >> e->page_shift) == e->vpn;
}

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

const pmmu_tlb_entry *tlb_entry(const tlb *t, const tlb_pos *pos) {
  const tlb_array *a = pos->large ? &t->large : &t->small;
  return &a->entries[pos->set * a->ways + pos->way];
}

pmmu_tlb_entry *tlb_find(tlb *t, uint32_t la, tlb_slot *slot) {
  tlb_pos pos;
  if (!tlb_locate(t, la, &pos)) return NULL;
  *slot = (tlb_slot){pos.large ? &t->large : &t->small, pos.set, pos.way};
  return entry_at(slot->array, pos.set, pos.way);
}

/* ---- Policies ---------------------------------------------------------------------- */

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

static unsigned plru_victim(uint64_t bits, unsigned ways) {
  unsigned node = 1;
  while (node < ways) node = 2 * node + (unsigned)((bits >> (node - 1)) & 1u);
  return node - ways;
}

static void lru_touch(uint8_t *rank, unsigned ways, unsigned way) {
  uint8_t was = rank[way];
  for (unsigned w = 0; w < ways; w++)
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

void tlb_touch(tlb *t, const tlb_slot *slot) {
  tlb_array *a = slot->array;
  if (t->policy == PMMU_POLICY_PLRU) plru_touch(&a->tree[slot->set], a->ways, slot->way);
  else if (t->policy == PMMU_POLICY_LRU)
    lru_touch(&a->rank[slot->set * a->ways], a->ways, slot->way);
}

/* The victim of a full set; steps the LFSR as docs/tlb.md says. */
static unsigned take_victim(tlb *t, tlb_array *a, unsigned set) {
  unsigned way = 0;
  switch (t->policy) {
  case PMMU_POLICY_PLRU: way = plru_victim(a->tree[set], a->ways); break;
  case PMMU_POLICY_LRU: way = lru_victim(&a->rank[set * a->ways], a->ways); break;
  case PMMU_POLICY_FIFO: way = a->fifo[set]; break;
  case PMMU_POLICY_RANDOM:
    way = a->lfsr & (a->ways - 1);
    a->lfsr = lfsr_step(a->lfsr);
    break;
  }
  return way;
}

static unsigned choose_way(tlb *t, tlb_array *a, unsigned set) {
  for (unsigned w = 0; w < a->ways; w++)
    if (!entry_at(a, set, w)->valid) return w;
  return take_victim(t, a, set);
}

static void arm_undo(tlb *t, tlb_array *a, unsigned set) {
  tlb_undo *u = &t->undo;
  u->armed = true;
  u->array = a;
  u->set = set;
  u->old_tree = a->tree[set];
  memcpy(u->old_rank, &a->rank[set * a->ways], a->ways);
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
  *entry_at(a, set, way) = *entry;
  if (t->policy == PMMU_POLICY_FIFO) a->fifo[set] = (uint8_t)((way + 1) % a->ways);
  tlb_slot slot = {a, set, way};
  tlb_touch(t, &slot);
}

bool tlb_undo_fill(tlb *t) {
  tlb_undo *u = &t->undo;
  if (!u->armed) return false;
  tlb_array *a = u->array;
  *entry_at(a, u->set, u->way) = u->old_entry;
  a->tree[u->set] = u->old_tree;
  memcpy(&a->rank[u->set * a->ways], u->old_rank, a->ways);
  a->fifo[u->set] = u->old_fifo;
  a->lfsr = u->old_lfsr;
  u->armed = false;
  return true;
}

void tlb_disarm(tlb *t) { t->undo.armed = false; }

void tlb_drop(tlb_slot *slot) { entry_at(slot->array, slot->set, slot->way)->valid = false; }

static unsigned flush_array(tlb_array *a, pmmu_flush_kind kind, uint32_t la) {
  unsigned cleared = 0;
  for (unsigned i = 0; i < a->sets * a->ways; i++) {
    pmmu_tlb_entry *e = &a->entries[i];
    bool clear = false;
    switch (kind) {
    case PMMU_FLUSH_ALL: clear = e->valid; break;
    case PMMU_FLUSH_NONGLOBAL: clear = e->valid && !e->g; break;
    case PMMU_FLUSH_PAGE: clear = maps(e, la); break;
    }
    if (clear) {
      e->valid = false;
      cleared++;
    }
  }
  return cleared;
}

unsigned tlb_flush(tlb *t, pmmu_flush_kind kind, uint32_t la) {
  return flush_array(&t->small, kind, la) + flush_array(&t->large, kind, la);
}
