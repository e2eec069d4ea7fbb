/*
 * The answers, all from libpmmu: pmmu_debug_translate() for each item's result and walk,
 * and a real pmmu instance, cold at item 1, translating the items in order for the TLB
 * column of the grid (on its own copy of memory: its A/D writes must not show in the key).
 */
#include <stdlib.h>
#include <string.h>

#include "quiz_internal.h"

typedef struct world_mem {
  quiz_table *tables;
  unsigned n;
} world_mem;

static uint64_t *entry_at(world_mem *w, uint64_t pa, unsigned size) {
  for (unsigned i = 0; i < w->n; i++) {
    quiz_table *t = &w->tables[i];
    if (pa >= t->pa && pa < t->pa + (uint64_t)t->n_entries * t->entry_size && size == t->entry_size)
      return &t->entry[(pa - t->pa) / t->entry_size];
  }
  return NULL;
}

static bool mem_read(void *ctx, uint64_t pa, unsigned size, uint64_t *value) {
  uint64_t *e = entry_at(ctx, pa, size);
  *value = e ? *e : 0;
  return true;
}

static bool mem_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expected, uint64_t desired,
                    uint64_t *old) {
  uint64_t *e = entry_at(ctx, pa, size);
  *old = e ? *e : 0;
  if (e && *e == expected) *e = desired;
  return true; /* the debug walks never write; the TLB run writes only entries it read */
}

/* A pmmu over `w` with the exercise's control registers and the grid's TLB geometry. */
static pmmu_t *open_model(const quiz_t *q, world_mem *w) {
  pmmu_config cfg;
  pmmu_config_init(&cfg);
  cfg.tlb_sets = q->opt.tlb_sets;
  cfg.tlb_ways = QUIZ_TLB_WAYS;
  cfg.tlb_large = QUIZ_TLB_LARGE;
  cfg.mem.read = mem_read;
  cfg.mem.cas = mem_cas;
  cfg.mem.ctx = w;
  pmmu_t *m;
  if (pmmu_create(&cfg, &m) != PMMU_E_OK) return NULL;
  pmmu_reg_result r;
  /* EFER and CR4 first, CR3 then loads the PDPTEs (PAE), CR0 last sets WP. */
  bool ok = pmmu_write_efer(m, q->ctl.efer, 0, &r) == PMMU_E_OK && !r.gp_fault &&
            pmmu_write_cr4(m, q->ctl.cr4, r.done_cycle, &r) == PMMU_E_OK && !r.gp_fault &&
            pmmu_write_cr3(m, q->ctl.cr3, r.done_cycle, &r) == PMMU_E_OK && !r.gp_fault &&
            pmmu_write_cr0(m, q->ctl.cr0, r.done_cycle, &r) == PMMU_E_OK && !r.gp_fault;
  if (!ok) {
    pmmu_destroy(m);
    return NULL;
  }
  return m;
}

static void mark_touched(quiz_t *q, const pmmu_walk_trace *t) {
  for (unsigned s = 0; s < t->n_steps; s++) {
    quiz_table *tb = (quiz_table *)quiz_table_at(q, t->steps[s].entry_pa);
    if (tb) tb->touched[(t->steps[s].entry_pa - tb->pa) / tb->entry_size] = true;
  }
}

/* The page of a walk that reached its leaf: a supervisor read of the same address, which
 * the rights always allow (the exercise sets neither SMEP nor SMAP). */
static bool find_frame(const pmmu_t *m, quiz_item *it) {
  const pmmu_response *r = &it->answer;
  if (r->outcome != PMMU_OK && r->fault_kind != PMMU_FAULT_PROTECTION) return true;
  pmmu_request read = {.la = it->req.la, .access = PMMU_READ, .priv = PMMU_SUPERVISOR};
  pmmu_response page;
  if (pmmu_debug_translate(m, &read, &page, NULL) != PMMU_E_OK || page.outcome != PMMU_OK)
    return false;
  it->page_shift = page.page_shift;
  it->frame = page.pa & ~((UINT64_C(1) << page.page_shift) - 1);
  return true;
}

static bool solve_items(quiz_t *q) {
  world_mem w = {q->table, q->n_tables};
  pmmu_t *m = open_model(q, &w);
  if (!m) return false;
  bool ok = true;
  for (unsigned i = 0; i < q->n_items && ok; i++) {
    quiz_item *it = &q->item[i];
    ok =
        pmmu_debug_translate(m, &it->req, &it->answer, &it->walk) == PMMU_E_OK && find_frame(m, it);
    mark_touched(q, &it->walk);
  }
  pmmu_destroy(m);
  return ok;
}

static bool run_tlb(quiz_t *q) {
  world_mem w = {malloc(q->n_tables * sizeof *q->table), q->n_tables};
  if (!w.tables) return false;
  memcpy(w.tables, q->table, q->n_tables * sizeof *q->table);
  pmmu_t *m = open_model(q, &w);
  bool ok = m != NULL;
  for (unsigned i = 0; i < q->n_items && ok; i++) {
    pmmu_request req = q->item[i].req;
    req.cycle = pmmu_ready_cycle(m);
    pmmu_response r;
    ok = pmmu_translate(m, &req, &r) == PMMU_E_OK;
    q->item[i].tlb_hit = r.tlb == PMMU_TLB_HIT;
    if (r.outcome == PMMU_PAGE_FAULT) pmmu_ack_interrupt(m);
  }
  pmmu_destroy(m);
  free(w.tables);
  return ok;
}

bool quiz_solve(quiz_t *q) { return solve_items(q) && run_tlb(q); }

/* ---- The facts of one answer ------------------------------------------------------------ */

static const pmmu_walk_step *step_of(const pmmu_walk_trace *t, pmmu_level level) {
  for (unsigned i = 0; i < t->n_steps; i++)
    if (t->steps[i].level == level) return &t->steps[i];
  return NULL;
}

/* The rule that denied a complete walk, from the combined rights of its entries. */
static const char *denial(const quiz_t *q, const quiz_facts *f, const pmmu_request *req) {
  bool u = true, w = true, xd = false;
  const pmmu_walk_step *lv[2] = {f->pde, f->large ? NULL : f->pte};
  for (unsigned i = 0; i < 2; i++) {
    if (!lv[i]) continue;
    u = u && (lv[i]->value & PMMU_PTE_US);
    w = w && (lv[i]->value & PMMU_PTE_RW);
    xd = xd || (lv[i]->value & PMMU_PTE_XD);
  }
  bool x = !(xd && (q->ctl.efer & PMMU_EFER_NXE));
  const char *why = pmmu_rights_denial(&q->ctl, u, w, x, req);
  return why ? why : "a protection violation";
}

void quiz_item_facts(const quiz_t *q, const quiz_item *it, quiz_facts *f) {
  memset(f, 0, sizeof *f);
  const pmmu_response *r = &it->answer;
  uint32_t la = it->req.la;
  f->pae = quiz_is_pae(q);
  f->pdpte = step_of(&it->walk, PMMU_LEVEL_PDPTE);
  f->pde = step_of(&it->walk, PMMU_LEVEL_PDE);
  f->pte = step_of(&it->walk, PMMU_LEVEL_PTE);
  f->pdpt_index = la >> 30;
  f->dir_index = f->pae ? (la >> 21) & 0x1FF : la >> 22;
  f->table_index = f->pae ? (la >> 12) & 0x1FF : (la >> 12) & 0x3FF;
  f->fault = r->outcome == PMMU_PAGE_FAULT;
  f->error_code = r->error_code;
  f->complete = r->outcome == PMMU_OK || r->fault_kind == PMMU_FAULT_PROTECTION;
  f->large = f->pde && !f->pte && f->complete;
  f->frame = it->frame;
  f->page_shift = it->page_shift;
  if (f->fault && r->fault_kind == PMMU_FAULT_NOT_PRESENT) {
    f->stop = pmmu_level_name(r->fault_level);
    f->why = r->fault_level == PMMU_LEVEL_PDPTE ? "the PDPTE is not present (P=0)"
             : r->fault_level == PMMU_LEVEL_PDE ? "the PDE is not present (P=0)"
                                                : "the PTE is not present (P=0)";
  } else if (f->fault && r->fault_kind == PMMU_FAULT_RESERVED) {
    f->why = "a reserved bit is set";
  } else if (f->fault) {
    f->why = denial(q, f, &it->req);
  }
}
