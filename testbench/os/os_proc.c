/* The testbench OS (docs/os.md): processes - their areas (VMAs) and page tables, spawn,
 * fork with copy-on-write, exit, context switches, brk and mprotect. */
#include "os_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- Areas ------------------------------------------------------------------------------ */

const os_area *kern_area_at(const proc *p, uint32_t va) {
  for (unsigned k = 0; k < N_AREAS; k++)
    if (p->has[k] && va >= p->area[k].start && va < p->area[k].end) return &p->area[k];
  return NULL;
}

bool os_area_of(const os_t *os, int pid, os_area_kind kind, os_area *out) {
  const proc *p = proc_of(os, pid);
  if (!p || !p->has[kind]) return false;
  *out = p->area[kind];
  return true;
}

/* ---- Page tables ---------------------------------------------------------------------------- */

static uint32_t pt_alloc(os_t *os) {
  if (!os->pt_nfree) {
    kern_fatal(os, "out of page-table pages");
    return 0;
  }
  uint32_t pa = os->pt_free[--os->pt_nfree];
  kern_zero_page(os, pa);
  return pa;
}

static void pt_release(os_t *os, uint32_t pa) { os->pt_free[os->pt_nfree++] = pa; }

uint32_t kern_pde(const os_t *os) {
  uint32_t v = OS_KERNEL_PA | PTE_P | PTE_W | (uint32_t)PMMU_PTE_PS | (uint32_t)PMMU_PTE_G;
  if (os->cfg.bug == OS_BUG_KERNEL_USER) v |= PTE_U;
  return v;
}

uint32_t kern_dir_alloc(os_t *os) {
  uint32_t dir = pt_alloc(os);
  if (dir) wr32(os, dir + 4 * KERNEL_PDE_INDEX, kern_pde(os));
  return dir;
}

/* PA of the PTE for vpn, or 0 if its page table does not exist (create: make it). */
uint32_t kern_pte_addr(os_t *os, proc *p, uint32_t vpn, bool create) {
  unsigned i = vpn >> 10;
  if (i >= USER_PDES) return 0;
  if (!p->pt_pa[i]) {
    if (!create) return 0;
    uint32_t pt = pt_alloc(os);
    if (!pt) return 0;
    p->pt_pa[i] = pt;
    wr32(os, p->dir_pa + 4 * i, pt | PTE_P | PTE_W | PTE_U);
  }
  return p->pt_pa[i] + 4 * (vpn & 1023);
}

uint32_t kern_pte_addr_const(const proc *p, uint32_t vpn) {
  unsigned i = vpn >> 10;
  return i < USER_PDES && p->pt_pa[i] ? p->pt_pa[i] + 4 * (vpn & 1023) : 0;
}

/* ---- Processes -------------------------------------------------------------------------- */

static proc *proc_new(os_t *os) {
  int s = -1;
  for (unsigned i = 0; i < OS_MAX_PROCS && s < 0; i++)
    if (!os->procs[i] || !os->procs[i]->alive) s = (int)i;
  if (s < 0) return NULL;
  if ((unsigned)os->next_pid >= os->pid_cap) {
    unsigned cap = os->pid_cap ? 2 * os->pid_cap : 64;
    int *grown = realloc(os->pid_slot, cap * sizeof *grown);
    if (!grown) return NULL;
    for (unsigned i = os->pid_cap; i < cap; i++) grown[i] = -1;
    os->pid_slot = grown;
    os->pid_cap = cap;
  }
  proc *p = os->procs[s];
  if (!p && !(p = os->procs[s] = malloc(sizeof *p))) return NULL;
  memset(p, 0, sizeof *p);
  p->pid = os->next_pid++;
  os->pid_slot[p->pid] = s;
  p->dir_pa = kern_dir_alloc(os);
  if (!p->dir_pa) return NULL;
  p->alive = true;
  return p;
}

static void set_area(proc *p, os_area_kind k, uint32_t start, uint32_t end, bool w, bool x,
                     bool shared) {
  p->area[k] = (os_area){.kind = k,
                         .start = start,
                         .end = end,
                         .r = true,
                         .w = w,
                         .x = x,
                         .shared = shared,
                         .w_max = w};
  p->has[k] = end > start;
}

static void task_struct_init(os_t *os, proc *p) {
  kern_access(os, true, TASK_KVA(slot_of(os, p)), (uint32_t)p->pid);
  kern_access(os, true, TASK_KVA(slot_of(os, p)) + 4, p->kfaults);
}

int os_spawn(os_t *os, const char *name) {
  proc *p = proc_new(os);
  if (!p) return -1;
  snprintf(p->name, sizeof p->name, "%s", name ? name : "pmmu-sim");
  const os_config *c = &os->cfg;
  uint32_t text_end = OS_TEXT_START + c->text_pages * OS_PAGE;
  uint32_t data_end = text_end + c->data_pages * OS_PAGE;
  p->heap_start = data_end;
  set_area(p, OS_AREA_TEXT, OS_TEXT_START, text_end, false, true, false);
  set_area(p, OS_AREA_DATA, text_end, data_end, true, false, false);
  set_area(p, OS_AREA_HEAP, data_end, data_end + c->heap_pages * OS_PAGE, true, false, false);
  set_area(p, OS_AREA_LIB, OS_LIB_START, OS_LIB_START + c->lib_pages * OS_PAGE, false, true, true);
  set_area(p, OS_AREA_STACK, OS_STACK_TOP - c->stack_pages * OS_PAGE, OS_STACK_TOP, true, false,
           false);
  p->area[OS_AREA_HEAP].kind = OS_AREA_HEAP; /* even when empty */
  p->ip = OS_TEXT_START;
  p->sp = OS_STACK_TOP - 16;
  task_struct_init(os, p);
  if (kern_events(os)) {
    os_event ev = kern_event(OS_EV_EXEC, p->pid, 0);
    kern_emit(os, &ev);
  }
  return p->pid;
}

bool os_alive(const os_t *os, int pid) { return proc_of(os, pid) != NULL; }

void os_switch(os_t *os, int pid) {
  proc *p = proc_of(os, pid);
  if (!p) return;
  int s = slot_of(os, p);
  if (os->current == s) return;
  int before = os->current >= 0 ? os->procs[os->current]->pid : 0;
  kern_write_cr3(os, p->dir_pa);
  os->current = s;
  if (kern_events(os)) {
    os_event ev = kern_event(OS_EV_SWITCH, pid, 0);
    ev.other_pid = before;
    ev.cr3 = p->dir_pa;
    kern_emit(os, &ev);
  }
  os->st.context_switches++;
  kern_access(os, false, TASK_KVA(s), (uint32_t)p->pid); /* the scheduler reads the task */
}

typedef enum unmapped { UNMAPPED_NOTHING, UNMAPPED_FRAME, UNMAPPED_SWAP } unmapped;

/* Unmaps one page of p: frees or drops what its PTE held; says what that was. */
static unmapped unmap_page(os_t *os, proc *p, uint32_t vpn, bool flush) {
  uint32_t a = kern_pte_addr_const(p, vpn);
  if (!a) return UNMAPPED_NOTHING;
  uint32_t pte = rd32(os, a);
  if (!pte) return UNMAPPED_NOTHING;
  wr32(os, a, 0);
  if (pte & PTE_P) {
    if (flush) kern_flush_page(os, p, vpn << 12);
    if (kern_pte_is_frame(os, pte)) {
      unsigned f = kern_frame_of_pte(pte);
      if (pte & PTE_D) os->fr[f].dirty = true;
      kern_rmap_remove(os, f, p, vpn);
      if (!os->fr[f].nmap) kern_frame_release(os, f);
    }
    return UNMAPPED_FRAME;
  }
  if (pte & PTE_SW_SWAP) {
    p->swap_pages--;
    kern_slot_put(os, pte >> 12);
    return UNMAPPED_SWAP;
  }
  return UNMAPPED_NOTHING;
}

void os_exit(os_t *os, int pid) {
  proc *p = proc_of(os, pid);
  if (!p) return;
  int s = slot_of(os, p);
  if (os->current == s) { /* run on the kernel's directory from now on */
    kern_write_cr3(os, os->kernel_dir);
    os->current = -1;
  }
  unsigned count[3] = {0, 0, 0}; /* by unmapped */
  for (unsigned i = 0; i < USER_PDES; i++) {
    if (!p->pt_pa[i]) continue;
    for (unsigned j = 0; j < 1024; j++) count[unmap_page(os, p, (i << 10) | j, false)]++;
    pt_release(os, p->pt_pa[i]);
    p->pt_pa[i] = 0;
  }
  if (kern_events(os)) { /* while the process still has its name */
    os_event ev = kern_event(OS_EV_EXIT, pid, 0);
    ev.pages = count[UNMAPPED_FRAME];
    ev.swap_entries = count[UNMAPPED_SWAP];
    kern_emit(os, &ev);
  }
  pt_release(os, p->dir_pa);
  kern_shadow_free(p);
  kern_add_proc_stats(&os->exited, &p->st);
  p->alive = false;
  os->pid_slot[pid] = -1;
  os->st.exits++;
}

/* fork's copy of the parent's PTEs into the child c: a writable page becomes copy-on-write in
 * both. Returns how many parent PTEs lost W; the first FLUSH_CEILING of their addresses are
 * in flush (they must leave the parent's TLB). */
static unsigned fork_page_tables(os_t *os, proc *parent, proc *c, uint32_t *flush,
                                 unsigned *copied) {
  unsigned nflush = 0;
  *copied = 0;
  for (unsigned i = 0; i < USER_PDES; i++) {
    if (!parent->pt_pa[i]) continue;
    for (unsigned j = 0; j < 1024; j++) {
      uint32_t vpn = (i << 10) | j, pa = parent->pt_pa[i] + 4 * j, pte = rd32(os, pa);
      if (!pte) continue;
      uint32_t child = pte;
      ++*copied;
      if (pte & PTE_P) {
        unsigned f = kern_frame_of_pte(pte);
        if (pte & PTE_D) os->fr[f].dirty = true;
        if (pte & PTE_W) { /* write-protect both: copy-on-write */
          pte = (pte & ~PTE_W) | PTE_SW_COW;
          wr32(os, pa, pte);
          if (nflush < FLUSH_CEILING) flush[nflush] = vpn << 12;
          nflush++;
        }
        child = pte & ~(PTE_A | PTE_D);
        kern_rmap_add(os, f, c, vpn);
      } else if (pte & PTE_SW_SWAP) {
        os->sw[pte >> 12].pte_refs++;
        c->swap_pages++;
      }
      uint32_t ca = kern_pte_addr(os, c, vpn, true);
      if (ca) wr32(os, ca, child);
    }
  }
  return nflush;
}

int os_fork(os_t *os, int pid) {
  proc *parent = proc_of(os, pid);
  if (!parent) return -1;
  os_switch(os, pid); /* fork is the parent's system call */
  proc *c = proc_new(os);
  if (!c) return -1;
  snprintf(c->name, sizeof c->name, "%s", parent->name);
  c->ppid = parent->pid;
  memcpy(c->area, parent->area, sizeof c->area);
  memcpy(c->has, parent->has, sizeof c->has);
  c->heap_start = parent->heap_start;
  c->ip = parent->ip;
  c->sp = parent->sp;
  uint32_t flush[FLUSH_CEILING];
  unsigned copied;
  unsigned nflush = fork_page_tables(os, parent, c, flush, &copied);
  if (nflush > FLUSH_CEILING) {
    if (os->cfg.bug != OS_BUG_NO_INVLPG) {
      kern_write_cr3(os, parent->dir_pa);
      os->st.cr3_flushes++;
    }
  } else {
    for (unsigned k = 0; k < nflush; k++) kern_invlpg(os, flush[k]);
  }
  if (os->cfg.shadow && !kern_shadow_copy(c, parent)) kern_fatal(os, "out of host memory");
  c->kfaults = 0;
  task_struct_init(os, c);
  os->st.forks++;
  if (kern_events(os)) {
    os_event ev = kern_event(OS_EV_FORK, parent->pid, 0);
    ev.other_pid = c->pid;
    ev.pages = copied;
    ev.cow_pages = nflush;
    kern_emit(os, &ev);
  }
  return c->pid;
}

/* ---- brk, mprotect ------------------------------------------------------------------------------ */

bool os_set_heap_pages(os_t *os, int pid, unsigned pages) {
  proc *p = proc_of(os, pid);
  if (!p || pages > 0x20000u) return false;
  os_area *h = &p->area[OS_AREA_HEAP];
  uint32_t end = p->heap_start + pages * OS_PAGE;
  if (end > OS_LIB_START) return false;
  os_switch(os, pid);
  if (end < h->end && p->has[OS_AREA_HEAP]) {
    unsigned n = (h->end - end) / OS_PAGE;
    bool each = n <= FLUSH_CEILING || os->cfg.bug == OS_BUG_NO_INVLPG;
    for (uint32_t va = end; va < h->end; va += OS_PAGE) {
      unmap_page(os, p, va >> 12, each);
      kern_shadow_drop(p, va);
    }
    if (!each) {
      kern_write_cr3(os, p->dir_pa);
      os->st.cr3_flushes++;
    }
  }
  h->start = p->heap_start;
  h->end = end;
  p->has[OS_AREA_HEAP] = end > h->start;
  return true;
}

bool os_mprotect(os_t *os, int pid, uint32_t va, uint32_t len, bool writable) {
  proc *p = proc_of(os, pid);
  if (!p || (va | len) & (OS_PAGE - 1) || !len) return false;
  os_area *a = NULL;
  for (unsigned k = 0; k < N_AREAS; k++)
    if (p->has[k] && va >= p->area[k].start && va < p->area[k].end) a = &p->area[k];
  /* The simple case only: the whole of one area changes (Linux would split it). */
  if (!a || va != a->start || va + len != a->end || (writable && !a->w_max)) return false;
  os_switch(os, pid);
  a->w = writable;
  for (uint32_t v = a->start; v < a->end; v += OS_PAGE) {
    uint32_t addr = kern_pte_addr_const(p, v >> 12);
    if (!addr) continue;
    uint32_t pte = rd32(os, addr);
    if (!(pte & PTE_P)) continue;
    uint32_t now_pte;
    if (!writable) {
      now_pte = pte & ~PTE_W;
      if (pte & PTE_D) os->fr[kern_frame_of_pte(pte)].dirty = true;
    } else {
      frame *fr = &os->fr[kern_frame_of_pte(pte)];
      bool exclusive = fr->nmap == 1 && !(fr->slot >= 0 && os->sw[fr->slot].pte_refs > 0);
      now_pte = exclusive ? ((pte | PTE_W) & ~PTE_SW_COW) : (pte | PTE_SW_COW);
      if (exclusive && fr->slot >= 0) { /* writable again: its swap copy may go stale */
        os->sw[fr->slot].frame = -1;
        kern_slot_free(os, (unsigned)fr->slot);
        fr->slot = -1;
        fr->dirty = true;
      }
    }
    if (now_pte != pte) {
      wr32(os, addr, now_pte);
      if (!writable) kern_flush_page(os, p, v); /* removing a right must reach the TLB */
    }
  }
  return true;
}
