/* The testbench OS (docs/os.md): a user access and the page-fault handler - demand paging,
 * swap-in, the shared library, copy-on-write, SIGSEGV. */
#include "os_internal.h"

#include <inttypes.h>

/* ---- The page-fault handler ------------------------------------------------------------------ */

static void segv(os_t *os, proc *p, uint32_t va, uint32_t ec, os_access_kind kind) {
  p->st.segv++;
  os->st.segv++;
  if (kern_events(os)) {
    os_event ev = kern_event(OS_EV_SEGV, p->pid, va);
    ev.acc = kind;
    ev.error_code = ec;
    kern_emit(os, &ev);
  }
  if (p->segv_printed >= os->cfg.segv_print_limit) return;
  p->segv_printed++;
  char dec[64], where[96] = "";
  const os_area *ip_area = kern_area_at(p, p->ip);
  if (ip_area)
    snprintf(where, sizeof where, " in %s[%" PRIx32 "+%" PRIx32 "]",
             ip_area->kind == OS_AREA_LIB ? "libpmmu.so" : p->name, ip_area->start,
             ip_area->end - ip_area->start);
  fprintf(logf_(os),
          "%s[%d]: segfault at %" PRIx32 " ip %08" PRIx32 " sp %08" PRIx32 " error %" PRIx32
          "%s (%s)\n",
          p->name, p->pid, va, p->ip, p->sp, ec, where, os_ec_text(ec, dec, sizeof dec));
}

static void fill_from_file(os_t *os, unsigned f, unsigned file, uint32_t page) {
  uint64_t v[OS_PAGE / 8];
  for (uint32_t w = 0; w < 1024; w += 2)
    v[w / 2] = os_file_word(file, page, w) | (uint64_t)os_file_word(file, page, w + 1) << 32;
  wr_page(os, frame_pa(f), v);
}

/* Maps frame f at vpn with the area's rights; shared: read-only (COW in a writable area). */
static void map_frame(os_t *os, proc *p, uint32_t vpn, unsigned f, const os_area *a,
                      bool exclusive) {
  uint32_t pte = (uint32_t)frame_pa(f) | PTE_P | PTE_U;
  if (a->w) pte |= exclusive ? PTE_W : PTE_SW_COW;
  if (a->kind == OS_AREA_TEXT && os->cfg.bug == OS_BUG_TEXT_WRITABLE) pte |= PTE_W;
  uint32_t addr = kern_pte_addr(os, p, vpn, true);
  if (!addr) return;
  wr32(os, addr, pte);
  kern_rmap_add(os, f, p, vpn);
}

/* A swap entry (slot in bits 31:12): the slot's frame if the swap cache still holds it, else
 * a frame read back from swap. */
static void swap_in(os_t *os, proc *p, const os_area *a, uint32_t vpn, uint32_t pte, os_event *ev) {
  unsigned s = pte >> 12;
  swap_slot *sl = &os->sw[s];
  int f = sl->frame;
  ev->slot = (int32_t)s;
  if (f >= 0) {
    p->st.swap_cache_hits++;
    p->st.minflt++;
    ev->how = OS_FAULT_SWAP_CACHE;
  } else {
    ev->how = OS_FAULT_SWAPIN;
    if ((f = kern_frame_alloc(os)) < 0) return;
    uint64_t v[OS_PAGE / 8];
    for (unsigned w = 0; w < 1024; w += 2) v[w / 2] = sl->data[w] | (uint64_t)sl->data[w + 1] << 32;
    wr_page(os, frame_pa((unsigned)f), v);
    os->fr[f].kind = FR_ANON;
    os->fr[f].slot = (int32_t)s;
    sl->frame = f;
    p->st.swapins++;
    p->st.majflt++;
    os->st.swapins++;
  }
  sl->pte_refs--;
  p->swap_pages--;
  map_frame(os, p, vpn, (unsigned)f, a, os->fr[f].nmap == 0 && sl->pte_refs == 0);
  ev->frame = f;
}

/* A library page: the one frame every process maps, read from the file if not resident. */
static void lib_in(os_t *os, proc *p, const os_area *a, uint32_t va, os_event *ev) {
  uint32_t vpn = va >> 12;
  uint32_t page = (va - a->start) / OS_PAGE;
  int f = os->lib_frame[page];
  ev->file_page = page;
  if (f >= 0) {
    p->st.lib_maps++;
    p->st.minflt++;
    ev->how = OS_FAULT_LIB;
  } else {
    ev->how = OS_FAULT_FILE;
    if ((f = kern_frame_alloc(os)) < 0) return;
    fill_from_file(os, (unsigned)f, FILE_LIB, page);
    os->fr[f].kind = FR_LIB;
    os->fr[f].file = FILE_LIB;
    os->fr[f].file_page = page;
    os->lib_frame[page] = f;
    p->st.file_reads++;
    p->st.majflt++;
  }
  map_frame(os, p, vpn, (unsigned)f, a, false);
  ev->frame = f;
}

/* A first touch of a private page: read from the file (text, data; the library with
 * OS_BUG_LIB_PRIVATE), or a zero page (heap, stack). */
static void first_touch(os_t *os, proc *p, const os_area *a, uint32_t va, os_event *ev) {
  uint32_t vpn = va >> 12;
  int f = kern_frame_alloc(os);
  if (f < 0) return;
  frame *fr = &os->fr[f];
  if (a->kind == OS_AREA_TEXT || a->kind == OS_AREA_DATA || a->kind == OS_AREA_LIB) {
    unsigned file = a->kind == OS_AREA_LIB ? FILE_LIB : FILE_PROGRAM;
    uint32_t page = (va - a->start) / OS_PAGE + (a->kind == OS_AREA_DATA ? os->cfg.text_pages : 0);
    fill_from_file(os, (unsigned)f, file, page);
    fr->kind = FR_FILE;
    fr->file = (uint8_t)file;
    fr->file_page = page;
    p->st.file_reads++;
    p->st.majflt++;
    ev->how = OS_FAULT_FILE;
    ev->file_page = page;
  } else {
    kern_zero_page(os, frame_pa((unsigned)f));
    fr->kind = FR_ANON;
    p->st.zero_fills++;
    p->st.minflt++;
    ev->how = OS_FAULT_ZERO;
  }
  map_frame(os, p, vpn, (unsigned)f, a, true);
  ev->frame = f;
}

/* A not-present fault in area a: demand zero, file read, the library's frame, or swap-in. */
static void fault_in(os_t *os, proc *p, const os_area *a, uint32_t va, os_access_kind kind) {
  uint32_t vpn = va >> 12, addr = kern_pte_addr(os, p, vpn, true);
  if (!addr) return;
  uint32_t pte = rd32(os, addr);
  if (pte & PTE_P) { /* already fixed (cannot happen on one CPU) */
    os->st.spurious++;
    return;
  }
  os_event ev = kern_event(OS_EV_FAULT, p->pid, va & ~(OS_PAGE - 1));
  ev.acc = kind;
  ev.area = a->kind;
  if (pte & PTE_SW_SWAP) swap_in(os, p, a, vpn, pte, &ev);
  else if (a->kind == OS_AREA_LIB && os->cfg.bug != OS_BUG_LIB_PRIVATE) lib_in(os, p, a, va, &ev);
  else first_touch(os, p, a, va, &ev);
  if (kern_events(os) && ev.frame >= 0) kern_emit(os, &ev);
}

/* A write to a present read-only page of a writable area: break copy-on-write. */
static void cow_break(os_t *os, proc *p, const os_area *a, uint32_t va) {
  uint32_t vpn = va >> 12, addr = kern_pte_addr_const(p, vpn), pte = rd32(os, addr);
  unsigned old = kern_frame_of_pte(pte);
  frame *fr = &os->fr[old];
  os_event ev = kern_event(OS_EV_COW, p->pid, va & ~(OS_PAGE - 1));
  ev.acc = OS_W;
  ev.area = a->kind;
  ev.old_frame = (int32_t)old;
  ev.frame = (int32_t)old;
  bool shared_slot = fr->slot >= 0 && os->sw[fr->slot].pte_refs > 0;
  p->st.minflt++;
  if (os->cfg.bug == OS_BUG_COW_NO_COPY || (fr->nmap == 1 && !shared_slot)) {
    if (fr->slot >= 0 && !shared_slot) { /* its swap copy is about to be stale */
      swap_slot *sl = &os->sw[fr->slot];
      sl->frame = -1;
      kern_slot_free(os, (unsigned)fr->slot);
      fr->slot = -1;
      fr->dirty = true;
    }
    wr32(os, addr, (pte | PTE_W) & ~PTE_SW_COW);
    p->st.cow_reuses++;
    ev.how = 1;
  } else {
    fr->pinned = true;
    int f = kern_frame_alloc(os);
    fr->pinned = false;
    if (f < 0) return;
    kern_copy_page(os, frame_pa((unsigned)f), frame_pa(old));
    os->fr[f].kind = FR_ANON;
    os->fr[f].dirty = true;
    kern_rmap_remove(os, old, p, vpn);
    if (!fr->nmap) kern_frame_release(os, old);
    wr32(os, addr, (uint32_t)frame_pa((unsigned)f) | PTE_P | PTE_U | PTE_W);
    kern_rmap_add(os, (unsigned)f, p, vpn);
    p->st.cow_copies++;
    ev.frame = f;
  }
  kern_flush_page(os, p, va);
  if (kern_events(os)) kern_emit(os, &ev);
}

/* The #PF handler, entered from the interrupt line with the latched CR2 and error code:
 * returns true if the access is to be retried, false for SIGSEGV. */
static bool page_fault(os_t *os, proc *p, uint32_t va, uint32_t ec, os_access_kind kind) {
  os->st.faults_handled++;
  os->fault_count++;
  /* The handler's own bookkeeping, in the kernel area (supervisor, global). */
  p->kfaults++;
  kern_access(os, true, TASK_KVA(slot_of(os, p)) + 4, p->kfaults);
  const os_area *a = va < OS_KERNEL_START ? kern_area_at(p, va) : NULL;
  os_area stray;
  if (!a && va < OS_KERNEL_START && os->cfg.bug == OS_BUG_NO_AREA_CHECK) {
    stray = (os_area){.kind = OS_AREA_HEAP, .start = va & ~(OS_PAGE - 1), .r = true, .w = true};
    stray.end = stray.start + OS_PAGE;
    a = &stray;
  }
  bool retry = false;
  if (!a || (ec & PMMU_EC_RSVD)) {
    retry = false; /* outside every area (the kernel area included), or a corrupt table */
  } else if (kind == OS_W && !a->w) {
    retry = false; /* write to a read-only area */
  } else if (!(ec & PMMU_EC_P)) {
    fault_in(os, p, a, va, kind);
    retry = true;
  } else if (kind == OS_W) {
    cow_break(os, p, a, va);
    retry = true;
  } else {
    os->st.spurious++; /* a protection fault on a read of a readable page: nothing to fix */
  }
  if (!retry) segv(os, p, va, ec, kind);
  if (os->cfg.check_every && os->fault_count % os->cfg.check_every == 0) {
    char why[256];
    os->st.check_runs++;
    if (os_check(os, why, sizeof why)) {
      os->st.check_failures++;
      if (os->st.check_failures <= 3)
        fprintf(logf_(os), "pmmu-sim: invariant violated after fault at 0x%08" PRIx32 ": %s\n", va,
                why);
    }
  }
  return retry;
}

/* A user request about to be presented (r NULL), or its response. */
static void emit_request(os_t *os, const proc *p, os_access_kind kind, uint32_t va,
                         unsigned attempt, const pmmu_response *r) {
  os_event ev = kern_event(r ? OS_EV_RESPONSE : OS_EV_REQUEST, p->pid, va);
  ev.acc = kind;
  ev.attempt = attempt;
  ev.response = r;
  kern_emit(os, &ev);
}

/* The translations of one access: the first, and a retry after each fault the handler fixed.
 * Returns false for a SIGSEGV. */
static bool translate_and_do(os_t *os, proc *p, os_access_kind kind, uint32_t va, uint32_t *value) {
  pmmu_access acc = kind == OS_R ? PMMU_READ : kind == OS_W ? PMMU_WRITE : PMMU_FETCH;
  for (unsigned attempt = 0; attempt < 4; attempt++) {
    pmmu_response r;
    if (kern_events(os)) emit_request(os, p, kind, va, attempt, NULL);
    if (!kern_translate(os, p, va, acc, PMMU_USER, &r)) return true;
    if (kern_events(os)) emit_request(os, p, kind, va, attempt, &r);
    if (r.outcome == PMMU_BUS_ERROR) {
      kern_fatal(os, "bus error on a page walk");
      return true;
    }
    /* As a kernel takes a #PF: from the interrupt line, high from R + 1 (the current cycle),
     * with CR2 and the error code read from the block's latch, not from the response; the
     * handler acks when it is done. The line must rise exactly when the response faulted. */
    pmmu_interrupt_state irq;
    if (!kern_interrupt(os, &irq)) return true;
    if (irq.pending != (r.outcome == PMMU_PAGE_FAULT)) {
      kern_fatal(os, irq.pending ? "the #PF line rose for an access that did not fault"
                                 : "the #PF line stayed low for a faulting access");
      return true;
    }
    if (irq.pending) {
      bool retry = page_fault(os, p, irq.cr2, irq.error_code, kind);
      kern_ack(os);
      if (!retry) return false;
      continue;
    }
    uint64_t pa = r.pa & ~UINT64_C(3);
    const os_area *a = kern_area_at(p, va);
    if (kind == OS_W) {
      uint32_t v = value ? *value : 0;
      wr32(os, pa, v);
      if (os->cfg.shadow && a) kern_shadow_write(os, p, a, va, v);
    } else {
      uint32_t v = rd32(os, pa);
      if (value) *value = v;
      if (os->cfg.shadow && a) kern_shadow_check_read(os, p, a, va, pa, v);
    }
    return true;
  }
  kern_fatal(os, "the same access faulted four times");
  return true;
}

bool os_access(os_t *os, int pid, os_access_kind kind, uint32_t va, uint32_t *value) {
  proc *p = proc_of(os, pid);
  if (!p) return false;
  os->accesses++;
  os_switch(os, pid);
  p->st.accesses++;
  if (kind == OS_X) p->ip = va;
  else if (p->has[OS_AREA_STACK] && va >= p->area[OS_AREA_STACK].start && va < OS_STACK_TOP)
    p->sp = va;
  bool ok = translate_and_do(os, p, kind, va, value);
  if (kern_events(os)) {
    os_event ev = kern_event(OS_EV_ACCESS, pid, va);
    ev.acc = kind;
    ev.segv = !ok;
    kern_emit(os, &ev);
  }
  return ok;
}
