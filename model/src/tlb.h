/* The TLB of the model: two arrays and their replacement state (docs/tlb.md). Internal. */
#ifndef PMMU_TLB_H
#define PMMU_TLB_H

#include "pmmu/pmmu.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/*
 * One cached translation, packed for the hit path (16 bytes, four to a cache line): a lookup
 * compares one word per way and checks rights with one table look-up. pmmu_tlb_read() spells
 * it out as a pmmu_tlb_entry; an invalid entry keeps what it held (only its key's INVALID bit
 * is set), as the public view always showed.
 */
typedef struct tlb_entry {
  uint32_t key;      /* vpn (LA >> shift), with TLB_KEY_INVALID set when not valid: no LA >> 12
                        has bit 31 set, so one compare is both the valid and the tag check */
  uint8_t shift;     /* 12, 21 or 22 (0 in a never-filled entry) */
  uint8_t rights;    /* TLB_R_*: the bit index into the permission table */
  uint8_t attr;      /* PWT (bit 0), PCD (bit 1), PAT (bit 2) */
  uint8_t g;         /* global (kept by a non-global flush) */
  uint64_t frame_pa; /* physical base of the page */
} tlb_entry;

#define TLB_KEY_INVALID UINT32_C(0x80000000)
#define TLB_R_U 1u
#define TLB_R_W 2u
#define TLB_R_X 4u
#define TLB_R_D 8u

/* One array: SETS x WAYS for 4 KiB pages, or 1 x LARGE for large pages. */
typedef struct tlb_array {
  unsigned sets, ways;
  unsigned set_mask;  /* sets - 1 */
  unsigned way_shift; /* log2(ways): a set's first entry is entries[set << way_shift] */
  tlb_entry *entries; /* sets * ways, set-major */
  uint64_t *tree;     /* plru: ways - 1 bits per set, bit (i - 1) is heap node i */
  uint8_t *rank;      /* lru: sets * ways ranks, 0 = most recent */
  uint8_t *fifo;      /* fifo: next victim per set */
  uint16_t lfsr;      /* random: one LFSR per array */
  /* plru: touching way w makes tree = (tree & plru_keep[w]) | plru_set[w], the bits of w's
   * path pointing away from it (docs/tlb.md), worked out once by the loop that states it */
  uint64_t plru_keep[64], plru_set[64];
  /* plru with at most 8 ways (7 tree bits): the victim of each tree, worked out once by the
   * walk down the tree that states it (plru_victim) rather than by that walk at every fill */
  uint8_t plru_victim_of[128];
} tlb_array;

/* What a fill changed, so that a flush inside its walk's window can take it back (T7). */
typedef struct tlb_undo {
  bool armed;
  tlb_array *array;
  unsigned set, way;
  tlb_entry old_entry;
  uint64_t old_tree;
  uint8_t old_rank[64];
  uint8_t old_fifo;
  uint16_t old_lfsr;
} tlb_undo;

/* Request kinds, the permission table's rows: (access * 4 + privilege) * 2 + EFLAGS.AC. */
#define TLB_REQ_KINDS 24u
static inline unsigned tlb_kind(const pmmu_request *req) {
  return ((unsigned)req->access * 4u + (unsigned)req->priv) * 2u + (req->ac ? 1u : 0u);
}

typedef struct tlb {
  tlb_array small, large;
  pmmu_policy policy;
  uint16_t seed;
  tlb_undo undo;
  /* At least the number of valid entries in the large array (a drop leaves it high): 0 lets
   * a lookup with no large pages in use skip that array. */
  unsigned large_live;
  /*
   * x86-paging.md section 5 for a cached entry, as a table: bit r of allow[kind] says whether
   * a request of that kind may use an entry whose rights are r (TLB_R_*; a write also needs
   * D, timing.md T3). Built from pmmu_rights_denial() itself for the control bits the rule
   * reads (CR0.WP, CR4.SMEP, CR4.SMAP); allow_key names the bits it was built for (0: never).
   * fast_cr0/fast_cr4 are the CR0 and CR4 under which tlb_find_fast may serve hits (paging
   * on, a table built for them, a policy whose touch is the plru masks), else UINT64_MAX,
   * which no 32-bit register equals: any change of either register sends the next lookup
   * through tlb_use, which judges again. No register write has to remember to.
   */
  uint32_t allow_key;
  uint64_t fast_cr0, fast_cr4;
  uint16_t allow[TLB_REQ_KINDS];
} tlb;

bool tlb_init(tlb *t, const pmmu_config *cfg);
void tlb_free(tlb *t);
void tlb_reset(tlb *t);

/* Where an entry sits, without the right to change it. */
typedef struct tlb_pos {
  bool large;
  unsigned set, way;
} tlb_pos;

/* The lookup (docs/tlb.md, "Which entry a lookup uses"): the 4 KiB array first, then the
 * lowest-numbered match of the large array. False if no valid entry maps la. Read-only. */
bool tlb_locate(const tlb *t, uint32_t la, tlb_pos *pos);
/* The entry at pos (or any set and way in range), spelt out for the API. */
void tlb_read(const tlb *t, bool large, unsigned set, unsigned way, pmmu_tlb_entry *out);

void tlb_build_allow(tlb *t, const pmmu_control *ctl, uint32_t key);
void tlb_lru_touch(tlb_array *a, unsigned set, unsigned way);

/* A hit updates the replacement state (docs/tlb.md): plru and lru only. */
static inline void tlb_touch(tlb *t, tlb_array *a, unsigned set, unsigned way) {
  if (t->policy == PMMU_POLICY_PLRU)
    a->tree[set] = (a->tree[set] & a->plru_keep[way]) | a->plru_set[way];
  else if (t->policy == PMMU_POLICY_LRU) tlb_lru_touch(a, set, way);
}

/* May req use the cached entry e under ctl? Section 5 on its cached rights, and D for a write
 * (timing.md T3). The table is rebuilt here when a control bit it depends on changed, so no
 * register write has to remember to. */
static inline uint32_t tlb_allow_key(const pmmu_control *ctl) {
  return 1u | (ctl->cr0 & (PMMU_CR0_PG | PMMU_CR0_WP)) |
         (ctl->cr4 & (PMMU_CR4_SMEP | PMMU_CR4_SMAP));
}

static inline bool tlb_allows(tlb *t, const pmmu_control *ctl, const tlb_entry *e,
                              const pmmu_request *req) {
  uint32_t key = tlb_allow_key(ctl);
  if (key != t->allow_key) tlb_build_allow(t, ctl, key);
  return (t->allow[tlb_kind(req)] >> e->rights) & 1u;
}

/* Brings the permission table and the fast path's registers up to date with ctl. */
void tlb_judge(tlb *t, const pmmu_control *ctl);

/* tlb_use for an LA that no 4 KiB entry maps: the large array. */
const tlb_entry *tlb_use_large(tlb *t, const pmmu_control *ctl, const pmmu_request *req,
                               tlb_entry **match);

/*
 * The lookup of pmmu_translate (docs/tlb.md, "Which entry a lookup uses", the same as
 * tlb_locate) and T3: returns the entry that maps req->la if the access may use it, after
 * updating the replacement state; otherwise NULL, with *match the entry that maps the LA but
 * may not serve (for the caller to drop), or NULL. Inline: it is most of a TLB hit.
 */
static inline const tlb_entry *tlb_use(tlb *t, const pmmu_control *ctl, const pmmu_request *req,
                                       tlb_entry **match) {
  tlb_array *a = &t->small;
  uint32_t key = req->la >> 12;
  unsigned set = key & (a->sets - 1);
  tlb_entry *e = &a->entries[set * a->ways];
  for (unsigned w = 0; w < a->ways; w++) {
    if (e[w].key == key) {
      if (!tlb_allows(t, ctl, &e[w], req)) {
        *match = &e[w];
        return NULL;
      }
      tlb_touch(t, a, set, w);
      return &e[w];
    }
  }
  return tlb_use_large(t, ctl, req, match);
}

/* The index of the lowest set bit of v (v != 0): 64 bits, as a fill's mask of the large
 * array's ways needs (up to 64); the hit path's 32-bit masks widen to it at no cost. */
static inline unsigned tlb_lowest_bit(uint64_t v) {
#if defined(__GNUC__) || defined(__clang__)
  return (unsigned)__builtin_ctzll(v);
#else
  unsigned i = 0;
  while (!(v & 1u)) v >>= 1, i++;
  return i;
#endif
}

/* What tlb_find_fast found. */
typedef enum tlb_fast {
  TLB_FAST_HIT,     /* *e may serve the request (tlb_touch_fast then updates the plru tree) */
  TLB_FAST_DENIED,  /* *e maps the LA but may not serve it (T3: to be dropped) */
  TLB_FAST_NO_4K,   /* no 4 KiB entry maps the LA; the large array may */
  TLB_FAST_GENERAL, /* not decided here: use tlb_use */
} tlb_fast;

/* What tlb_find_fast found: the entry, and where its replacement state is (tlb_touch_fast). */
typedef struct tlb_found {
  tlb_entry *e;
  uint64_t *tree; /* the plru tree of e's set */
  unsigned way;
} tlb_found;

#if defined(__SSE2__)
/* The keys of ways 0..3 at e, side by side in one register (entries are 16 bytes apart). */
static inline __m128i tlb_keys4(const tlb_entry *e) {
  __m128i k01 =
      _mm_unpacklo_epi32(_mm_cvtsi32_si128((int)e[0].key), _mm_cvtsi32_si128((int)e[1].key));
  __m128i k23 =
      _mm_unpacklo_epi32(_mm_cvtsi32_si128((int)e[2].key), _mm_cvtsi32_si128((int)e[3].key));
  return _mm_unpacklo_epi64(k01, k23);
}
#endif

/* Bit w says whether way w (0..3) at e holds key. */
static inline uint32_t tlb_match4(const tlb_entry *e, uint32_t key) {
#if defined(__SSE2__) /* four compares in one: a third of the scalar code's instructions */
  __m128i eq = _mm_cmpeq_epi32(tlb_keys4(e), _mm_set1_epi32((int)key));
  return (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(eq));
#else
  return (uint32_t)(e[0].key == key) | (uint32_t)(e[1].key == key) << 1 |
         (uint32_t)(e[2].key == key) << 2 | (uint32_t)(e[3].key == key) << 3;
#endif
}

/* Bit w says whether way w of the set at e holds key: every way is compared, with no early
 * exit (which way holds a page is as good as random, and a loop that stops there costs a
 * branch misprediction, more than all the compares). ways is a power of two, at most 16 (the
 * 4 KiB array). */
static inline uint32_t tlb_match_ways(const tlb_entry *e, unsigned ways, uint32_t key) {
  uint32_t hits = 0;
  if (ways < 4) {
    for (unsigned w = 0; w < ways; w++) hits |= (uint32_t)(e[w].key == key) << w;
    return hits;
  }
  hits = tlb_match4(e, key); /* the first group outside the loop: 4 ways do not loop */
  for (unsigned w = 4; w < ways; w += 4) hits |= tlb_match4(e + w, key) << w;
  return hits;
}

/* Bit w says whether way w (0..3) at e is invalid (its key's TLB_KEY_INVALID, bit 31). */
static inline uint64_t tlb_invalid4(const tlb_entry *e) {
#if defined(__SSE2__) /* bit 31 is the sign bit that movemask collects */
  return (uint64_t)_mm_movemask_ps(_mm_castsi128_ps(tlb_keys4(e)));
#else
  return (uint64_t)((e[0].key >> 31) | (e[1].key >> 31) << 1 | (e[2].key >> 31) << 2 |
                    (e[3].key >> 31) << 3);
#endif
}

/* Bit w says whether way w of the set at e is invalid; 64 bits: the large array may have 64
 * ways. */
static inline uint64_t tlb_invalid_ways(const tlb_entry *e, unsigned ways) {
  uint64_t invalid = 0;
  if (ways < 4) {
    for (unsigned w = 0; w < ways; w++) invalid |= (uint64_t)(e[w].key >> 31) << w;
    return invalid;
  }
  invalid = tlb_invalid4(e);
  for (unsigned w = 4; w < ways; w += 4) invalid |= tlb_invalid4(e + w) << w;
  return invalid;
}

/*
 * The common case of tlb_use's lookup, with no calls so that pmmu_translate's hit path needs
 * no stack frame: paging on, a permission table built for the current control registers and a
 * policy whose touch is the plru masks (all of it two compares: fast_cr0, fast_cr4), then the
 * 4 KiB array. Read-only: a hit's replacement update is tlb_touch_fast, which the caller
 * applies once it has accepted the request (the lookup comes first so that fewer values are
 * live at once). f->e is the entry that maps the LA, if any.
 */
static inline tlb_fast tlb_find_fast(tlb *t, const pmmu_control *ctl, const pmmu_request *req,
                                     tlb_found *f) {
  if (ctl->cr0 != t->fast_cr0 || ctl->cr4 != t->fast_cr4) return TLB_FAST_GENERAL;
  tlb_array *a = &t->small;
  uint32_t key = req->la >> 12;
  unsigned set = key & a->set_mask;
  tlb_entry *e = &a->entries[set << a->way_shift];
  /* A 4 KiB page is cached in one way at most (a fill follows a miss). */
  uint32_t hits = tlb_match_ways(e, a->ways, key);
  if (!hits) return TLB_FAST_NO_4K;
  f->way = tlb_lowest_bit(hits);
  f->e = e + f->way;
  f->tree = &a->tree[set];
  if (!((t->allow[tlb_kind(req)] >> f->e->rights) & 1u)) return TLB_FAST_DENIED;
  return TLB_FAST_HIT;
}

/* The replacement update of a hit tlb_find_fast found: the plru masks of its way (fifo and
 * random change nothing on a hit, and read no tree). */
static inline void tlb_touch_fast(tlb *t, const tlb_found *f) {
  *f->tree = (*f->tree & t->small.plru_keep[f->way]) | t->small.plru_set[f->way];
}

/* An entry that may not serve is dropped (T3). */
static inline void tlb_drop(tlb_entry *e) { e->key |= TLB_KEY_INVALID; }

/* Writes a new entry (invalid way first, else the policy's victim) and arms the undo. */
void tlb_fill(tlb *t, const pmmu_tlb_entry *entry);
/* Takes back the last fill, if it is still armed. */
bool tlb_undo_fill(tlb *t);
static inline void tlb_disarm(tlb *t) { t->undo.armed = false; }

/* Returns how many valid entries it cleared. */
unsigned tlb_flush(tlb *t, pmmu_flush_kind kind, uint32_t la);

#endif
