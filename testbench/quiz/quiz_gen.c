/*
 * The generator (docs/quiz.md "The generator"): a world of page tables and the items, drawn
 * from splitmix64 in a fixed order, so that one seed always gives the same exercise.
 *
 * Each item is made for an intent (a success, a not-present entry at each level, each kind of
 * protection fault), and the entry it needs is written for it, so that every item's walk
 * reads entries of the tables the student is shown. Which result the item really has is
 * decided later by libpmmu (quiz_solve.c), never here.
 *
 * Every draw is a statement of its own, never one of two draws in an expression (`a[draw()] =
 * draw()`, `draw() | draw()`): C leaves their order to the compiler, and gcc and clang (the
 * WebAssembly build) choose differently, which gave the page other exercises than the CLI.
 */
#include <stdlib.h>
#include <string.h>

#include "quiz_internal.h"

#define MAX_FRAMES 512u

typedef struct pt_home {
  unsigned table; /* the page table */
  unsigned pd;    /* the directory that points to it */
  unsigned dir;   /* its directory index */
} pt_home;

typedef struct gen {
  quiz_t *q;
  uint64_t rng;
  uint64_t frames[MAX_FRAMES]; /* page-frame numbers in use */
  unsigned n_frames;
  bool claimed[QUIZ_MAX_TABLES][QUIZ_MAX_ENTRIES]; /* entries no one else may take */
  unsigned pds[3], n_pds;                          /* tables that are directories */
  pt_home pts[4];
  unsigned n_pts;
  int ok_items[QUIZ_MAX_ITEMS]; /* items meant to succeed (for TLB reuse) */
  unsigned n_ok;
} gen;

typedef enum intent {
  I_OK,       /* an access the page allows */
  I_NP_TOP,   /* the PDE (or, in PAE, sometimes the PDPTE) is not present */
  I_NP_PTE,   /* the PTE is not present */
  I_USER_SUP, /* a user access to a supervisor page */
  I_USER_RO,  /* a user write to a read-only page */
  I_SUP_RO,   /* a supervisor write to a read-only page (faults with CR0.WP=1 only) */
  I_NX,       /* a fetch from a no-execute page */
  I_COUNT
} intent;

/* What the combined rights of the leaf must be: -1 either, 0 or 1. */
typedef struct need {
  int us, rw, xd;
} need;

static uint64_t pick(gen *g, uint64_t n) { return quiz_rng_below(&g->rng, n); }
static bool chance(gen *g, unsigned percent) { return pick(g, 100) < percent; }

/* A page-frame number below 2^bits that no table or page uses yet. */
static uint64_t new_frame(gen *g, unsigned bits) {
  for (;;) {
    uint64_t f = 0x100 + pick(g, (UINT64_C(1) << bits) - 0x100); /* above the first MiB */
    bool used = false;
    for (unsigned i = 0; i < g->n_frames; i++) used |= g->frames[i] == f;
    if (used) continue;
    if (g->n_frames < MAX_FRAMES) g->frames[g->n_frames++] = f;
    return f;
  }
}

static unsigned add_table(gen *g, quiz_table_kind kind) {
  quiz_t *q = g->q;
  bool pae = quiz_is_pae(q);
  quiz_table *t = &q->table[q->n_tables];
  t->kind = kind;
  /* Frames below 256 MiB read easily; PAE entries reach 2^36, but CR3 holds 32 bits. */
  bool top = kind == QUIZ_PDPT || (!pae && kind == QUIZ_PD);
  t->pa = new_frame(g, pae && !top ? 24 : 16) << 12;
  t->entry_size = pae ? 8 : 4;
  t->n_entries = kind == QUIZ_PDPT ? 4 : pae ? 512 : 1024;
  return q->n_tables++;
}

/* A random index of table t that nothing has claimed; claims it. */
static unsigned claim(gen *g, unsigned t) {
  const quiz_table *tb = &g->q->table[t];
  for (;;) {
    unsigned i = (unsigned)pick(g, tb->n_entries);
    if (g->claimed[t][i]) continue;
    g->claimed[t][i] = true;
    return i;
  }
}

/* The flag bits of an entry, each required (0/1) or drawn (-1) with its odds. */
static uint64_t draw_flags(gen *g, need n, bool leaf) {
  uint64_t v = PMMU_PTE_P;
  if (n.rw == 1 || (n.rw < 0 && chance(g, 65))) v |= PMMU_PTE_RW;
  if (n.us == 1 || (n.us < 0 && chance(g, 70))) v |= PMMU_PTE_US;
  if (chance(g, 60)) v |= PMMU_PTE_A;
  if (leaf && (v & PMMU_PTE_A) && chance(g, 50)) v |= PMMU_PTE_D;
  if (leaf && chance(g, 10)) v |= PMMU_PTE_G;
  if (g->q->opt.nx && (n.xd == 1 || (n.xd < 0 && chance(g, 20)))) v |= PMMU_PTE_XD;
  return v;
}

static need any(void) { return (need){-1, -1, -1}; }

/* ---- The world ------------------------------------------------------------------------ */

/* A not-present entry that still holds bits (a swapped-out page, say), or zero. */
static uint64_t not_present_value(gen *g) {
  if (chance(g, 50)) return 0;
  uint64_t frame = new_frame(g, quiz_is_pae(g->q) ? 24 : 16);
  return frame << 12 | (draw_flags(g, any(), true) & ~PMMU_PTE_P & ~PMMU_PTE_XD);
}

/* A large-page PDE: 4 MiB (bits 31:22) or 2 MiB (bits 35:21), reserved bits clear. */
static uint64_t large_pde(gen *g, need n) {
  uint64_t base =
      quiz_is_pae(g->q) ? (1 + pick(g, (1u << 15) - 1)) << 21 : (1 + pick(g, (1u << 10) - 1)) << 22;
  return base | PMMU_PTE_PS | draw_flags(g, n, true);
}

static void noise_entries(gen *g, unsigned t) {
  unsigned n = 2 + (unsigned)pick(g, 4);
  for (unsigned k = 0; k < n; k++) {
    unsigned i = claim(g, t);
    uint64_t f = new_frame(g, quiz_is_pae(g->q) ? 24 : 16);
    g->q->table[t].entry[i] =
        chance(g, 20) ? not_present_value(g) : (f << 12) | draw_flags(g, any(), true);
  }
}

/* A page table under directory pd; the first one is present, writable and user. */
static void add_page_table(gen *g, unsigned pd) {
  unsigned t = add_table(g, QUIZ_PT);
  unsigned dir = claim(g, pd);
  need n = g->n_pts == 0 ? (need){1, 1, 0} : any();
  uint64_t pde = draw_flags(g, n, false);
  if (g->n_pts > 0 && chance(g, 50)) pde &= ~PMMU_PTE_XD; /* XD on a directory: rarer */
  g->q->table[pd].entry[dir] = g->q->table[t].pa | pde;
  g->pts[g->n_pts++] = (pt_home){t, pd, dir};
  noise_entries(g, t);
}

static void directory_extras(gen *g, unsigned pd) {
  quiz_table *t = &g->q->table[pd];
  if (chance(g, 60)) {
    unsigned i = claim(g, pd);
    t->entry[i] = not_present_value(g);
  }
  if (g->q->opt.mode != QUIZ_MODE_32 && chance(g, 60)) {
    unsigned i = claim(g, pd);
    t->entry[i] = large_pde(g, any());
  }
}

static void build_world_32(gen *g) {
  quiz_t *q = g->q;
  g->pds[g->n_pds++] = add_table(g, QUIZ_PD);
  q->ctl.cr3 = (uint32_t)q->table[g->pds[0]].pa;
  q->ctl.cr4 = q->opt.mode == QUIZ_MODE_PSE ? PMMU_CR4_PSE : 0;
  unsigned n_pt = 2 + (unsigned)pick(g, 3);
  for (unsigned i = 0; i < n_pt; i++) add_page_table(g, g->pds[0]);
  directory_extras(g, g->pds[0]);
}

static void build_world_pae(gen *g) {
  quiz_t *q = g->q;
  unsigned pdpt = add_table(g, QUIZ_PDPT);
  q->ctl.cr3 = (uint32_t)q->table[pdpt].pa;
  q->ctl.cr4 = PMMU_CR4_PAE;
  q->ctl.efer = q->opt.nx ? PMMU_EFER_NXE : 0;
  unsigned n_pd = 1 + (unsigned)pick(g, 3); /* at most 3: one PDPTE is always not present */
  for (unsigned i = 0; i < n_pd; i++) {
    unsigned pd = add_table(g, QUIZ_PD);
    q->table[pdpt].entry[claim(g, pdpt)] = q->table[pd].pa | PMMU_PTE_P;
    g->pds[g->n_pds++] = pd;
  }
  unsigned n_pt = 2 + (unsigned)pick(g, 3);
  for (unsigned i = 0; i < n_pt; i++) add_page_table(g, g->pds[i == 0 ? 0 : pick(g, n_pd)]);
  for (unsigned i = 0; i < n_pd; i++) directory_extras(g, g->pds[i]);
}

/* ---- Linear addresses ----------------------------------------------------------------- */

/* The PDPTE index of directory pd (PAE). */
static unsigned pdpt_index_of(const gen *g, unsigned pd) {
  const quiz_table *pdpt = &g->q->table[0];
  for (unsigned i = 0; i < 4; i++)
    if ((pdpt->entry[i] & PMMU_PTE_P) && (pdpt->entry[i] & ~UINT64_C(0xFFF)) == g->q->table[pd].pa)
      return i;
  return 0;
}

/* The linear address of entry `dir` of directory pd, with a random rest below it. */
static uint32_t va_of_pde(gen *g, unsigned pd, unsigned dir) {
  if (!quiz_is_pae(g->q)) return (uint32_t)dir << 22 | (uint32_t)pick(g, 1u << 22);
  return (uint32_t)pdpt_index_of(g, pd) << 30 | (uint32_t)dir << 21 | (uint32_t)pick(g, 1u << 21);
}

static uint32_t va_of_pte(gen *g, const pt_home *h, unsigned index) {
  unsigned table_shift = quiz_is_pae(g->q) ? 21 : 22;
  uint32_t above = va_of_pde(g, h->pd, h->dir) & ~((UINT32_C(1) << table_shift) - 1);
  return above | (uint32_t)index << 12 | (uint32_t)pick(g, 1u << 12);
}

/* ---- Items ---------------------------------------------------------------------------- */

/* A page table whose PDE allows what n needs (the first one always does). */
static const pt_home *table_for(gen *g, need n) {
  const pt_home *fit[4];
  unsigned k = 0;
  for (unsigned i = 0; i < g->n_pts; i++) {
    uint64_t pde = g->q->table[g->pts[i].pd].entry[g->pts[i].dir];
    if (n.us == 1 && !(pde & PMMU_PTE_US)) continue;
    if (n.rw == 1 && !(pde & PMMU_PTE_RW)) continue;
    if (n.xd == 0 && (pde & PMMU_PTE_XD)) continue;
    fit[k++] = &g->pts[i];
  }
  return fit[pick(g, k)];
}

/* A new leaf with the rights n needs: a PTE, or a large PDE when the mode has them. */
static uint32_t leaf_va(gen *g, need n) {
  quiz_t *q = g->q;
  if (q->opt.mode != QUIZ_MODE_32 && chance(g, 30)) {
    unsigned pd = g->pds[pick(g, g->n_pds)];
    unsigned dir = claim(g, pd);
    q->table[pd].entry[dir] = large_pde(g, n);
    return va_of_pde(g, pd, dir);
  }
  const pt_home *h = table_for(g, n);
  unsigned i = claim(g, h->table);
  uint64_t frame = new_frame(g, quiz_is_pae(q) ? 24 : 16) << 12;
  q->table[h->table].entry[i] = frame | draw_flags(g, n, true);
  return va_of_pte(g, h, i);
}

static uint32_t not_present_top_va(gen *g) {
  quiz_t *q = g->q;
  if (quiz_is_pae(q) && chance(g, 35)) {
    for (unsigned i = 0; i < 4; i++)
      if (!(q->table[0].entry[i] & PMMU_PTE_P))
        return (uint32_t)i << 30 | (uint32_t)pick(g, 1u << 30);
  }
  unsigned pd = g->pds[pick(g, g->n_pds)];
  for (unsigned i = 0; i < q->table[pd].n_entries; i++) /* reuse a non-zero one if any */
    if (q->table[pd].entry[i] && !(q->table[pd].entry[i] & PMMU_PTE_P) && chance(g, 50))
      return va_of_pde(g, pd, i);
  unsigned dir = claim(g, pd);
  q->table[pd].entry[dir] = not_present_value(g);
  return va_of_pde(g, pd, dir);
}

static uint32_t not_present_pte_va(gen *g) {
  const pt_home *h = &g->pts[pick(g, g->n_pts)];
  unsigned i = claim(g, h->table);
  g->q->table[h->table].entry[i] = not_present_value(g);
  return va_of_pte(g, h, i);
}

/* Reads 45%, writes 40%, fetches 15%. */
static pmmu_access draw_access(gen *g) {
  unsigned r = (unsigned)pick(g, 100);
  return r < 45 ? PMMU_READ : r < 85 ? PMMU_WRITE : PMMU_FETCH;
}

/* An access the new page allows: the rights it needs follow from the access (drawn again
 * here, after make_item's draw, which the I_OK intent does not use). */
static uint32_t ok_va(gen *g, pmmu_request *r) {
  r->priv = chance(g, 60) ? PMMU_USER : PMMU_SUPERVISOR;
  r->access = draw_access(g);
  bool wp = (g->q->ctl.cr0 & PMMU_CR0_WP) != 0;
  need n = {r->priv == PMMU_USER ? 1 : -1, -1, r->access == PMMU_FETCH ? 0 : -1};
  if (r->access == PMMU_WRITE && (r->priv == PMMU_USER || wp)) n.rw = 1;
  return leaf_va(g, n);
}

static void make_item(gen *g, intent in, pmmu_request *r) {
  r->priv = chance(g, 60) ? PMMU_USER : PMMU_SUPERVISOR;
  r->access = draw_access(g);
  switch (in) {
  case I_OK: r->la = ok_va(g, r); return;
  case I_NP_TOP: r->la = not_present_top_va(g); return;
  case I_NP_PTE: r->la = not_present_pte_va(g); return;
  case I_USER_SUP:
    r->priv = PMMU_USER;
    r->la = leaf_va(g, (need){0, -1, r->access == PMMU_FETCH ? 0 : -1});
    return;
  case I_USER_RO:
    r->priv = PMMU_USER, r->access = PMMU_WRITE;
    r->la = leaf_va(g, (need){1, 0, -1});
    return;
  case I_SUP_RO:
    r->priv = PMMU_SUPERVISOR, r->access = PMMU_WRITE;
    r->la = leaf_va(g, (need){-1, 0, -1});
    return;
  case I_NX:
    r->access = PMMU_FETCH;
    r->la = leaf_va(g, (need){r->priv == PMMU_USER ? 1 : -1, -1, 1});
    return;
  case I_COUNT: break;
  }
}

/* Another address in the page of an earlier success: a TLB hit if it is still cached. */
static void reuse_item(gen *g, pmmu_request *r) {
  const pmmu_request *src = &g->q->item[g->ok_items[pick(g, g->n_ok)]].req;
  r->priv = src->priv;
  r->access = PMMU_READ;
  r->la = (src->la & ~UINT32_C(0xFFF)) | (uint32_t)pick(g, 1u << 12);
}

/* The intents in a random order, with a success among the first n (n = the item count). */
static unsigned plan(gen *g, intent *order, unsigned n) {
  unsigned k = g->q->opt.nx ? I_COUNT : I_NX;
  for (unsigned i = 0; i < k; i++) order[i] = (intent)i;
  for (unsigned i = k - 1; i > 0; i--) { /* Fisher-Yates */
    unsigned j = (unsigned)pick(g, i + 1);
    intent t = order[i];
    order[i] = order[j], order[j] = t;
  }
  unsigned limit = n < k ? n : k;
  for (unsigned i = 0; i < k; i++)
    if (order[i] == I_OK && i >= limit) {
      unsigned j = (unsigned)pick(g, limit);
      order[i] = order[j], order[j] = I_OK;
    }
  return k;
}

static void build_items(gen *g) {
  quiz_t *q = g->q;
  intent order[I_COUNT];
  unsigned k = plan(g, order, q->opt.items);
  unsigned next = 0;
  for (unsigned i = 0; i < q->opt.items; i++) {
    pmmu_request *r = &q->item[i].req;
    memset(r, 0, sizeof *r);
    if (g->n_ok > 0 && chance(g, 20)) {
      reuse_item(g, r);
    } else {
      intent in = next < k ? order[next++] : (intent)pick(g, k);
      make_item(g, in, r);
      if (in == I_OK) g->ok_items[g->n_ok++] = (int)i;
    }
  }
  q->n_items = q->opt.items;
}

bool quiz_build(quiz_t *q) {
  gen *g = calloc(1, sizeof *g); /* ~16 KiB: not on a WebAssembly stack */
  if (!g) return false;
  g->q = q;
  g->rng = q->opt.seed;
  q->ctl.cr0 = PMMU_CR0_PG | (chance(g, 75) ? PMMU_CR0_WP : 0);
  if (quiz_is_pae(q)) build_world_pae(g);
  else build_world_32(g);
  build_items(g);
  free(g);
  return true;
}
