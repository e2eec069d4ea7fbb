/* The testbench OS (docs/os.md, "The page map"): /proc/PID/smaps and pagemap in one - every
 * page of every area with its state (a frame, a swap slot, or nothing) and its flags, and the
 * area's totals as smaps gives them. */
#include "os_internal.h"

#include <inttypes.h>

typedef struct area_sum {
  unsigned pages, rss, shared, swap, referenced, dirty;
} area_sum;

static const char *area_label(const proc *p, const os_area *a, char *buf, size_t len) {
  switch (a->kind) {
  case OS_AREA_TEXT: snprintf(buf, len, "/bin/%s (text)", p->name); break;
  case OS_AREA_DATA: snprintf(buf, len, "/bin/%s (data)", p->name); break;
  case OS_AREA_HEAP: snprintf(buf, len, "[heap]"); break;
  case OS_AREA_LIB: snprintf(buf, len, "/lib/libpmmu.so (shared library text)"); break;
  case OS_AREA_STACK: snprintf(buf, len, "[stack]"); break;
  }
  return buf;
}

/* A run of pages with nothing in their PTE, as one line. */
static void print_unmapped(FILE *out, uint32_t from, uint32_t to) {
  if (to == from) return;
  if (to - from == OS_PAGE) fprintf(out, "  0x%08" PRIx32 "  not mapped\n", from);
  else
    fprintf(out, "  0x%08" PRIx32 "..0x%08" PRIx32 "  not mapped (%" PRIu32 " pages)\n", from,
            to - OS_PAGE, (to - from) / OS_PAGE);
}

/* One resident page: its frame, its flags, who else maps the frame. */
static void print_resident(const os_t *os, FILE *out, uint32_t va, uint32_t pte, area_sum *s) {
  unsigned f = kern_frame_of_pte(pte);
  const frame *fr = &os->fr[f];
  bool dirty = (pte & PTE_D) || fr->dirty, shared = fr->nmap > 1;
  char others[32] = "";
  if (shared) snprintf(others, sizeof others, "  mapped %u times", (unsigned)fr->nmap);
  fprintf(out, "  0x%08" PRIx32 "  frame %-8u  %c%c%c%c%c%s\n", va, f, (pte & PTE_W) ? 'w' : '-',
          (pte & PTE_SW_COW) ? 'c' : '-', (pte & PTE_A) ? 'a' : '-', dirty ? 'd' : '-',
          shared ? 's' : '-', others);
  s->rss++;
  s->shared += shared;
  s->referenced += (pte & PTE_A) != 0;
  s->dirty += dirty;
}

static void print_area(const os_t *os, const proc *p, const os_area *a, FILE *out,
                       area_sum *total) {
  char label[64];
  fprintf(out, "%08" PRIx32 "-%08" PRIx32 " %c%c%cp %s\n", a->start, a->end, a->r ? 'r' : '-',
          a->w ? 'w' : '-', a->x ? 'x' : '-', area_label(p, a, label, sizeof label));
  area_sum s = {.pages = (a->end - a->start) / OS_PAGE};
  uint32_t gap = a->start; /* the first page of the current run of unmapped pages */
  for (uint32_t va = a->start; va < a->end; va += OS_PAGE) {
    uint32_t addr = kern_pte_addr_const(p, va >> 12), pte = addr ? rd32(os, addr) : 0;
    bool resident = (pte & PTE_P) && kern_pte_is_frame(os, pte);
    bool swapped = !(pte & PTE_P) && (pte & PTE_SW_SWAP);
    if (!resident && !swapped) continue;
    print_unmapped(out, gap, va);
    gap = va + OS_PAGE;
    if (resident) {
      print_resident(os, out, va, pte, &s);
    } else {
      unsigned slot = pte >> 12, refs = os->sw[slot].pte_refs;
      char others[32] = "";
      if (refs > 1) snprintf(others, sizeof others, "  held by %u PTEs", refs);
      fprintf(out, "  0x%08" PRIx32 "  swap slot %u%s\n", va, slot, others);
      s.swap++;
    }
  }
  print_unmapped(out, gap, a->end);
  fprintf(out,
          "  Size: %u kB  Rss: %u kB  Shared: %u kB  Private: %u kB  Swap: %u kB  Referenced: %u "
          "kB  Dirty: %u kB\n",
          4 * s.pages, 4 * s.rss, 4 * s.shared, 4 * (s.rss - s.shared), 4 * s.swap,
          4 * s.referenced, 4 * s.dirty);
  total->pages += s.pages;
  total->rss += s.rss;
  total->shared += s.shared;
  total->swap += s.swap;
  total->referenced += s.referenced;
  total->dirty += s.dirty;
}

void os_print_pagemap(const os_t *os, int pid, FILE *out) {
  const proc *p = proc_of(os, pid);
  if (!p) return;
  static const os_area_kind order[] = {OS_AREA_TEXT, OS_AREA_DATA, OS_AREA_HEAP, OS_AREA_LIB,
                                       OS_AREA_STACK};
  fprintf(out,
          "flags: w writable, c copy-on-write, a accessed, d dirty, s shared (frame mapped "
          "by more than one PTE); frame i is at physical 0x%08x + 4 KiB x i\n",
          OS_USER_FRAMES_PA);
  area_sum total = {0};
  for (unsigned i = 0; i < N_AREAS; i++)
    if (p->has[order[i]]) print_area(os, p, &p->area[order[i]], out, &total);
  fprintf(out,
          "total  Size: %u kB  Rss: %u kB (VmRSS)  Shared: %u kB  Private: %u kB  Swap: %u kB "
          "(VmSwap)  Referenced: %u kB  Dirty: %u kB\n",
          4 * total.pages, 4 * total.rss, 4 * total.shared, 4 * (total.rss - total.shared),
          4 * total.swap, 4 * total.referenced, 4 * total.dirty);
}
