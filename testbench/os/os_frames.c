/* The testbench OS (docs/os.md): physical memory - whole-page writes, the user frames with
 * their reverse maps, the swap area, and page replacement by the clock algorithm. */
#include "os_internal.h"

#include <stdlib.h>

/* ---- Physical pages ------------------------------------------------------------------------- */

void kern_zero_page(os_t *os, uint64_t pa) {
  static const uint64_t zero[OS_PAGE / 8];
  wr_page(os, pa, zero);
}

void kern_copy_page(os_t *os, uint64_t to, uint64_t from) {
  uint64_t v[OS_PAGE / 8];
  rd_page(os, from, v);
  wr_page(os, to, v);
}

/* ---- Frames, reverse maps, swap ------------------------------------------------------------ */

unsigned kern_frame_of_pte(uint32_t pte) {
  return (unsigned)(((uint64_t)(pte & 0xFFFFF000u) - OS_USER_FRAMES_PA) / OS_PAGE);
}

bool kern_pte_is_frame(const os_t *os, uint32_t pte) {
  uint64_t pa = pte & 0xFFFFF000u;
  return pa >= OS_USER_FRAMES_PA && kern_frame_of_pte(pte) < os->nframes;
}

void kern_rmap_add(os_t *os, unsigned f, const proc *p, uint32_t vpn) {
  frame *fr = &os->fr[f];
  if (fr->nmap == fr->cap) {
    unsigned cap = fr->cap ? 2u * fr->cap : 2u;
    rmap_ent *grown = realloc(fr->map, cap * sizeof *grown);
    if (!grown) {
      kern_fatal(os, "out of host memory");
      return;
    }
    fr->map = grown;
    fr->cap = (uint16_t)cap;
  }
  fr->map[fr->nmap++] = (rmap_ent){.proc = (uint16_t)slot_of(os, p), .vpn = vpn};
}

void kern_rmap_remove(os_t *os, unsigned f, const proc *p, uint32_t vpn) {
  frame *fr = &os->fr[f];
  uint16_t s = (uint16_t)slot_of(os, p);
  for (unsigned i = 0; i < fr->nmap; i++)
    if (fr->map[i].proc == s && fr->map[i].vpn == vpn) {
      fr->map[i] = fr->map[--fr->nmap];
      return;
    }
  kern_fatal(os, "reverse map entry missing");
}

void kern_slot_free(os_t *os, unsigned s) {
  swap_slot *sl = &os->sw[s];
  sl->used = false;
  sl->frame = -1;
  sl->pte_refs = 0;
  os->sw_free[os->sw_nfree++] = s;
}

static int slot_alloc(os_t *os) {
  if (!os->sw_nfree) return -1;
  unsigned s = os->sw_free[--os->sw_nfree];
  swap_slot *sl = &os->sw[s];
  if (!sl->data && !(sl->data = calloc(1024, sizeof *sl->data))) {
    os->sw_free[os->sw_nfree++] = s;
    return -1;
  }
  sl->used = true;
  sl->pte_refs = 0;
  sl->frame = -1;
  return (int)s;
}

/* A PTE holding swap entry s is gone. */
void kern_slot_put(os_t *os, unsigned s) {
  swap_slot *sl = &os->sw[s];
  if (sl->pte_refs) sl->pte_refs--;
  if (!sl->pte_refs && sl->frame < 0) kern_slot_free(os, s);
}

/* A frame nobody maps any more goes back to the free list. */
void kern_frame_release(os_t *os, unsigned f) {
  frame *fr = &os->fr[f];
  if (fr->slot >= 0) {
    swap_slot *sl = &os->sw[fr->slot];
    sl->frame = -1;
    if (!sl->pte_refs) kern_slot_free(os, (unsigned)fr->slot);
  }
  if (fr->kind == FR_LIB && os->lib_frame[fr->file_page] == (int32_t)f)
    os->lib_frame[fr->file_page] = -1;
  fr->kind = FR_FREE;
  fr->slot = -1;
  fr->dirty = false;
  fr->pinned = false;
  fr->nmap = 0;
  os->fr_free[os->fr_nfree++] = f;
}

static void evict(os_t *os, unsigned f);

/* The clock: the hand sweeps the frames; a frame whose PTEs have A set gets a second chance
 * (A cleared, INVLPG), the first frame found with A clear everywhere is evicted. */
static int clock_evict(os_t *os) {
  os->st.clock_sweeps++;
  for (unsigned n = 0; n < 3 * os->nframes; n++) {
    unsigned f = os->hand;
    os->hand = (os->hand + 1) % os->nframes;
    frame *fr = &os->fr[f];
    if (fr->kind == FR_FREE || fr->pinned) continue;
    bool referenced = false;
    for (unsigned i = 0; i < fr->nmap; i++) {
      proc *p = os->procs[fr->map[i].proc];
      uint32_t a = kern_pte_addr_const(p, fr->map[i].vpn), pte = rd32(os, a);
      if (pte & PTE_A) {
        referenced = true;
        wr32(os, a, pte & ~PTE_A);
        os->st.clock_cleared++;
        kern_flush_page(os, p, fr->map[i].vpn << 12);
      }
    }
    if (referenced) continue;
    evict(os, f);
    return (int)f;
  }
  return -1;
}

int kern_frame_alloc(os_t *os) {
  if (!os->fr_nfree && clock_evict(os) < 0) {
    kern_fatal(os, "no frame can be evicted");
    return -1;
  }
  if (!os->fr_nfree) return -1;
  unsigned f = os->fr_free[--os->fr_nfree];
  frame *fr = &os->fr[f];
  fr->kind = FR_ANON;
  fr->slot = -1;
  fr->dirty = false;
  fr->pinned = false;
  fr->nmap = 0;
  return (int)f;
}

static void emit_evict(os_t *os, const proc *p, uint32_t vpn, unsigned f, os_evict_fate fate,
                       unsigned sharer) {
  os_event ev = kern_event(OS_EV_EVICT, p->pid, vpn << 12);
  ev.sharer = sharer;
  const os_area *a = kern_area_at(p, vpn << 12);
  ev.area = a ? a->kind : OS_AREA_HEAP;
  ev.how = fate;
  ev.frame = (int32_t)f;
  ev.slot = fate == OS_EVICT_SWAP_WRITE || fate == OS_EVICT_SWAP_CLEAN ? os->fr[f].slot : -1;
  kern_emit(os, &ev);
}

static void evict(os_t *os, unsigned f) {
  frame *fr = &os->fr[f];
  for (unsigned i = 0; i < fr->nmap; i++) {
    proc *p = os->procs[fr->map[i].proc];
    if (rd32(os, kern_pte_addr_const(p, fr->map[i].vpn)) & PTE_D) fr->dirty = true;
  }
  uint32_t entry = 0; /* what the PTEs become */
  /* dirty: written to swap; clean with a swap copy: back to it; clean without one: the
   * file's page or a zero page again (PTE 0) */
  bool to_swap = fr->dirty || fr->slot >= 0;
  if (to_swap) {
    if (fr->dirty) {
      if (fr->slot < 0) {
        int s = slot_alloc(os);
        if (s < 0) {
          kern_fatal(os, "out of swap");
          return;
        }
        fr->slot = s;
        os->sw[s].frame = (int32_t)f;
      }
      swap_slot *sl = &os->sw[fr->slot];
      if (os->cfg.bug != OS_BUG_SWAP_NO_WRITE) {
        uint64_t v[OS_PAGE / 8];
        rd_page(os, frame_pa(f), v);
        for (unsigned w = 0; w < 1024; w += 2) {
          sl->data[w] = (uint32_t)v[w / 2];
          sl->data[w + 1] = (uint32_t)(v[w / 2] >> 32);
        }
      }
      os->st.swapouts++;
      for (unsigned i = 0; i < fr->nmap; i++) os->procs[fr->map[i].proc]->st.swapouts++;
    }
    entry = ((uint32_t)fr->slot << 12) | PTE_SW_SWAP;
  }
  os_evict_fate fate = fr->dirty             ? OS_EVICT_SWAP_WRITE
                       : to_swap             ? OS_EVICT_SWAP_CLEAN
                       : fr->kind == FR_ANON ? OS_EVICT_DROP_ZERO
                                             : OS_EVICT_DROP_FILE;
  for (unsigned i = 0; i < fr->nmap; i++) {
    proc *p = os->procs[fr->map[i].proc];
    wr32(os, kern_pte_addr_const(p, fr->map[i].vpn), entry);
    if (entry) {
      os->sw[fr->slot].pte_refs++;
      p->swap_pages++;
    }
    kern_flush_page(os, p, fr->map[i].vpn << 12);
    if (kern_events(os)) emit_evict(os, p, fr->map[i].vpn, f, fate, i);
  }
  os->st.evictions++;
  fr->nmap = 0;
  kern_frame_release(os, f);
}
