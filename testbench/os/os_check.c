/* The testbench OS (docs/os.md): the whole-system invariant checker (os_check). */
#include "os_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

/* ---- Invariants ---------------------------------------------------------------------------------- */

typedef struct checker {
  char *why;
  size_t len;
  unsigned violations;
} checker;

static void violation(checker *ck, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void violation(checker *ck, const char *fmt, ...) {
  if (!ck->violations++ && ck->why && ck->len) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ck->why, ck->len, fmt, ap);
    va_end(ap);
  }
}

static bool rmap_has(const frame *fr, uint16_t s, uint32_t vpn) {
  for (unsigned i = 0; i < fr->nmap; i++)
    if (fr->map[i].proc == s && fr->map[i].vpn == vpn) return true;
  return false;
}

/* The directory of p: the kernel's PDE (supervisor, global), and the user PDEs pt_pa says. */
static void check_directory(os_t *os, const proc *p, uint32_t kpde, checker *ck) {
  for (unsigned i = 0; i < 1024; i++) {
    uint32_t pde = rd32(os, p->dir_pa + 4 * i);
    if (i == KERNEL_PDE_INDEX) {
      if ((pde & ~(PTE_A | PTE_D)) != kpde)
        violation(ck, "pid %d: kernel PDE is 0x%08" PRIx32 ", not supervisor global 0x%08" PRIx32,
                  p->pid, pde, kpde);
      continue;
    }
    uint32_t want = i < USER_PDES && p->pt_pa[i] ? (p->pt_pa[i] | PTE_P | PTE_W | PTE_U) : 0;
    if ((pde & ~PTE_A) != want)
      violation(ck, "pid %d: PDE %u is 0x%08" PRIx32 ", expected 0x%08" PRIx32, p->pid, i, pde,
                want);
  }
}

/* A present PTE of p (process slot s) in area a: a frame in use, rights that agree with the
 * area and with sharing, a reverse-map entry. Counts the frame's mappings in maps. */
static void check_mapping(os_t *os, const proc *p, unsigned s, const os_area *a, uint32_t vpn,
                          uint32_t pte, checker *ck, unsigned *maps) {
  uint32_t va = vpn << 12;
  if (!kern_pte_is_frame(os, pte) || os->fr[kern_frame_of_pte(pte)].kind == FR_FREE) {
    violation(ck, "pid %d: 0x%08" PRIx32 " maps 0x%08" PRIx32 ", not a frame in use", p->pid, va,
              pte & 0xFFFFF000u);
    return;
  }
  unsigned f = kern_frame_of_pte(pte);
  const frame *fr = &os->fr[f];
  maps[f]++;
  if (!(pte & PTE_U)) violation(ck, "pid %d: 0x%08" PRIx32 ": user page without U", p->pid, va);
  if ((pte & PTE_W) && !a->w)
    violation(ck, "pid %d: 0x%08" PRIx32 " is writable in a read-only area", p->pid, va);
  if ((pte & PTE_W) && (pte & PTE_SW_COW))
    violation(ck, "pid %d: 0x%08" PRIx32 " is writable and copy-on-write", p->pid, va);
  if ((pte & PTE_W) && (fr->nmap != 1 || (fr->slot >= 0 && os->sw[fr->slot].pte_refs)))
    violation(ck, "pid %d: 0x%08" PRIx32 " is writable but frame %u is shared (%u mappings)",
              p->pid, va, f, fr->nmap);
  if (a->w && !(pte & PTE_W) && !(pte & PTE_SW_COW))
    violation(ck, "pid %d: 0x%08" PRIx32 ": read-only in a writable area without copy-on-write",
              p->pid, va);
  if (fr->kind == FR_LIB && (a->kind != OS_AREA_LIB || fr->file_page != (va - a->start) / OS_PAGE))
    violation(ck, "pid %d: 0x%08" PRIx32 " maps library frame %u of page %u", p->pid, va, f,
              fr->file_page);
  if (!rmap_has(fr, (uint16_t)s, vpn))
    violation(ck, "pid %d: 0x%08" PRIx32 " maps frame %u without a reverse-map entry", p->pid, va,
              f);
}

/* Every PTE of p (process slot s): inside an area, a swap entry or a good mapping. Counts
 * the swap slots' references in refs; returns the swap entries found. */
static unsigned check_page_tables(os_t *os, const proc *p, unsigned s, checker *ck, unsigned *maps,
                                  unsigned *refs) {
  unsigned swapped = 0;
  for (unsigned i = 0; i < USER_PDES; i++) {
    if (!p->pt_pa[i]) continue;
    for (unsigned j = 0; j < 1024; j++) {
      uint32_t pte = rd32(os, p->pt_pa[i] + 4 * j);
      if (!pte) continue;
      uint32_t vpn = (i << 10) | j, va = vpn << 12;
      const os_area *a = kern_area_at(p, va);
      if (!a) {
        violation(ck, "pid %d: 0x%08" PRIx32 " is outside every area but its PTE is 0x%08" PRIx32,
                  p->pid, va, pte);
        continue;
      }
      if (!(pte & PTE_P)) {
        if ((pte & 0xFFFu) != PTE_SW_SWAP || (pte >> 12) >= os->cfg.swap_slots ||
            !os->sw[pte >> 12].used) {
          violation(ck, "pid %d: 0x%08" PRIx32 ": not-present PTE 0x%08" PRIx32 " is no swap entry",
                    p->pid, va, pte);
          continue;
        }
        refs[pte >> 12]++;
        swapped++;
        continue;
      }
      check_mapping(os, p, s, a, vpn, pte, ck, maps);
    }
  }
  return swapped;
}

/* Process slot s: its directory, its page tables, its task struct, its swap count. */
static void check_process(os_t *os, unsigned s, uint32_t kpde, checker *ck, unsigned *maps,
                          unsigned *refs) {
  const proc *p = os->procs[s];
  check_directory(os, p, kpde, ck);
  unsigned swapped = check_page_tables(os, p, s, ck, maps, refs);
  uint64_t task = OS_KERNEL_PA + (TASK_KVA(s) - OS_KERNEL_START);
  if (rd32(os, task) != (uint32_t)p->pid || rd32(os, task + 4) != p->kfaults)
    violation(ck,
              "pid %d: its task struct in the kernel area holds pid %" PRIu32 ", %" PRIu32
              " faults (expected %" PRIu32 ")",
              p->pid, rd32(os, task), rd32(os, task + 4), p->kfaults);
  if (swapped != p->swap_pages)
    violation(ck, "pid %d: %u swap entries in the page tables, %u counted", p->pid, swapped,
              p->swap_pages);
}

/* Every frame against the PTEs that map it (maps), its reverse map and its swap slot. */
static void check_frames(os_t *os, checker *ck, const unsigned *maps) {
  unsigned used = 0;
  for (unsigned f = 0; f < os->nframes; f++) {
    const frame *fr = &os->fr[f];
    if (fr->kind == FR_FREE) {
      if (maps[f]) violation(ck, "free frame %u is mapped %u times", f, maps[f]);
      continue;
    }
    used++;
    if (maps[f] != fr->nmap)
      violation(ck, "frame %u: %u PTEs map it, reverse map says %u", f, maps[f], fr->nmap);
    if (!fr->nmap) violation(ck, "frame %u is in use but mapped nowhere", f);
    if (fr->slot >= 0 && (!os->sw[fr->slot].used || os->sw[fr->slot].frame != (int32_t)f))
      violation(ck, "frame %u and its swap slot %d disagree", f, fr->slot);
    /* mapped more than once: the library's, or copy-on-write (no PTE writable: checked above) */
  }
  if (used > os->cfg.frames) violation(ck, "%u frames in use, only %u exist", used, os->cfg.frames);
}

/* Every swap slot against the swap entries that hold it (refs) and the swap cache. */
static void check_swap(os_t *os, checker *ck, const unsigned *refs) {
  for (unsigned s = 0; s < os->cfg.swap_slots; s++) {
    const swap_slot *sl = &os->sw[s];
    if (!sl->used) {
      if (refs[s]) violation(ck, "free swap slot %u is referenced %u times", s, refs[s]);
      continue;
    }
    if (refs[s] != sl->pte_refs)
      violation(ck, "swap slot %u: %u PTEs hold it, counted %u", s, refs[s], sl->pte_refs);
    if (!sl->pte_refs && sl->frame < 0) violation(ck, "swap slot %u is in use by nothing", s);
  }
}

static void check_library(os_t *os, checker *ck) {
  for (unsigned k = 0; k < os->cfg.lib_pages; k++) {
    int32_t f = os->lib_frame[k];
    if (f >= 0 && (os->fr[f].kind != FR_LIB || os->fr[f].file_page != k))
      violation(ck, "library page %u points at frame %d, which is not it", k, f);
  }
}

unsigned os_check(os_t *os, char *why, size_t why_len) {
  checker ck = {.why = why, .len = why_len};
  if (why && why_len) why[0] = '\0';
  unsigned *maps = calloc(os->nframes, sizeof *maps),
           *refs = calloc(os->cfg.swap_slots, sizeof *refs);
  if (!maps || !refs) {
    free(maps);
    free(refs);
    violation(&ck, "out of host memory");
    return ck.violations;
  }
  uint32_t kpde = kern_pde(os);
  for (unsigned s = 0; s < OS_MAX_PROCS; s++)
    if (os->procs[s] && os->procs[s]->alive) check_process(os, s, kpde, &ck, maps, refs);
  check_frames(os, &ck, maps);
  check_swap(os, &ck, refs);
  check_library(os, &ck);
  free(maps);
  free(refs);
  return ck.violations;
}
