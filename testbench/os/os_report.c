/* The testbench OS (docs/os.md): reports - counters, /proc/PID/maps and /proc/PID/status,
 * memory usage. */
#include "os_internal.h"

#include <inttypes.h>
#include <string.h>

/* ---- Reports ------------------------------------------------------------------------------------- */

void kern_add_proc_stats(os_proc_stats *to, const os_proc_stats *s) {
  to->accesses += s->accesses;
  to->tlb_hits += s->tlb_hits;
  to->walks += s->walks;
  to->pmmu_cycles += s->pmmu_cycles;
  to->minflt += s->minflt;
  to->majflt += s->majflt;
  to->zero_fills += s->zero_fills;
  to->file_reads += s->file_reads;
  to->lib_maps += s->lib_maps;
  to->swap_cache_hits += s->swap_cache_hits;
  to->cow_copies += s->cow_copies;
  to->cow_reuses += s->cow_reuses;
  to->swapins += s->swapins;
  to->swapouts += s->swapouts;
  to->segv += s->segv;
}

void os_total_proc_stats(const os_t *os, os_proc_stats *out) {
  *out = os->exited;
  for (unsigned s = 0; s < OS_MAX_PROCS; s++)
    if (os->procs[s] && os->procs[s]->alive) kern_add_proc_stats(out, &os->procs[s]->st);
}

unsigned os_pt_pages_used(const os_t *os) { return OS_PT_POOL_PAGES - os->pt_nfree; }

const os_stats *os_get_stats(os_t *os) {
  os->st.cycle = os->now;
  return &os->st;
}

const os_proc_stats *os_get_proc_stats(const os_t *os, int pid) {
  const proc *p = proc_of(os, pid);
  return p ? &p->st : NULL;
}

unsigned os_frames_used(const os_t *os) { return os->nframes - os->fr_nfree; }
unsigned os_frames_total(const os_t *os) { return os->cfg.frames; }
unsigned os_swap_used(const os_t *os) { return os->cfg.swap_slots - os->sw_nfree; }
int os_current(const os_t *os) { return os->current >= 0 ? os->procs[os->current]->pid : 0; }

int os_ppid(const os_t *os, int pid) {
  const proc *p = proc_of(os, pid);
  return p ? p->ppid : 0;
}

unsigned os_pids(const os_t *os, int *pids, unsigned max) {
  unsigned n = 0;
  for (int pid = 1; pid < os->next_pid && n < max; pid++)
    if (proc_of(os, pid)) pids[n++] = pid;
  return n;
}

int os_last_pid(const os_t *os) { return os->next_pid - 1; }

long os_frame_of(const os_t *os, int pid, uint32_t va) {
  const proc *p = proc_of(os, pid);
  if (!p) return -1;
  uint32_t a = kern_pte_addr_const(p, va >> 12);
  if (!a) return -1;
  uint32_t pte = rd32(os, a);
  return (pte & PTE_P) ? (long)(pte >> 12) : -1;
}

void os_mem_usage_of(const os_t *os, int pid, os_mem_usage *out) {
  memset(out, 0, sizeof *out);
  const proc *p = proc_of(os, pid);
  if (!p) return;
  for (unsigned k = 0; k < N_AREAS; k++)
    if (p->has[k]) out->vm_pages += (p->area[k].end - p->area[k].start) / OS_PAGE;
  for (unsigned i = 0; i < USER_PDES; i++) {
    if (!p->pt_pa[i]) continue;
    for (unsigned j = 0; j < 1024; j++) {
      uint32_t pte = rd32(os, p->pt_pa[i] + 4 * j);
      if (!(pte & PTE_P) || !kern_pte_is_frame(os, pte)) continue;
      out->rss_pages++;
      const frame *fr = &os->fr[kern_frame_of_pte(pte)];
      if (fr->kind == FR_LIB) out->rss_lib++;
      else if (fr->kind == FR_FILE) out->rss_file++;
      else out->rss_anon++;
    }
  }
  out->swap_pages = p->swap_pages;
}

static const char *area_name(const proc *p, const os_area *a, char *buf, size_t len) {
  switch (a->kind) {
  case OS_AREA_TEXT:
  case OS_AREA_DATA: snprintf(buf, len, "/bin/%s", p->name); break;
  case OS_AREA_LIB: snprintf(buf, len, "/lib/libpmmu.so"); break;
  case OS_AREA_HEAP: snprintf(buf, len, "[heap]"); break;
  case OS_AREA_STACK: snprintf(buf, len, "[stack]"); break;
  }
  return buf;
}

void os_print_maps(const os_t *os, int pid, FILE *out) {
  const proc *p = proc_of(os, pid);
  if (!p) return;
  static const os_area_kind order[] = {OS_AREA_TEXT, OS_AREA_DATA, OS_AREA_HEAP, OS_AREA_LIB,
                                       OS_AREA_STACK};
  for (unsigned i = 0; i < N_AREAS; i++) {
    const os_area *a = &p->area[order[i]];
    if (!p->has[order[i]]) continue;
    char name[64];
    bool file = a->kind == OS_AREA_TEXT || a->kind == OS_AREA_DATA || a->kind == OS_AREA_LIB;
    uint32_t offset = a->kind == OS_AREA_DATA ? os->cfg.text_pages * OS_PAGE : 0;
    fprintf(out, "%08" PRIx32 "-%08" PRIx32 " %c%c%c%c %08" PRIx32 " %s %-10u %s\n", a->start,
            a->end, a->r ? 'r' : '-', a->w ? 'w' : '-', a->x ? 'x' : '-', 'p', offset,
            file ? "00:01" : "00:00",
            file ? (a->kind == OS_AREA_LIB ? FILE_LIB : FILE_PROGRAM) : 0u,
            area_name(p, a, name, sizeof name));
  }
}

void os_print_status(const os_t *os, int pid, FILE *out) {
  const proc *p = proc_of(os, pid);
  if (!p) return;
  os_mem_usage u;
  os_mem_usage_of(os, pid, &u);
  const os_proc_stats *s = &p->st;
  fprintf(out, "Name:\t%s\n", p->name);
  fprintf(out, "State:\t%s\n",
          os->current >= 0 && os->procs[os->current] == p ? "R (running)" : "S (sleeping)");
  fprintf(out, "Pid:\t%d\nPPid:\t%d\n", p->pid, p->ppid);
  fprintf(out, "VmSize:\t%8u kB\n", u.vm_pages * 4);
  fprintf(out, "VmRSS:\t%8u kB\n", u.rss_pages * 4);
  fprintf(out, "RssAnon:\t%8u kB\n", u.rss_anon * 4);
  fprintf(out, "RssFile:\t%8u kB\n", (u.rss_file + u.rss_lib) * 4);
  fprintf(out, "VmSwap:\t%8u kB\n", u.swap_pages * 4);
  fprintf(out,
          "MinFlt:\t%" PRIu64 "\t(zero-fill %" PRIu64 ", library page already resident %" PRIu64
          ", swap cache %" PRIu64 ", copy-on-write %" PRIu64 " copied + %" PRIu64 " reused)\n",
          s->minflt, s->zero_fills, s->lib_maps, s->swap_cache_hits, s->cow_copies, s->cow_reuses);
  fprintf(out, "MajFlt:\t%" PRIu64 "\t(file read %" PRIu64 ", swap-in %" PRIu64 ")\n", s->majflt,
          s->file_reads, s->swapins);
  fprintf(out, "SwapIn:\t%" PRIu64 "\nSwapOut:\t%" PRIu64 "\n", s->swapins, s->swapouts);
  fprintf(out, "SigSegv:\t%" PRIu64 "\n", s->segv);
  double acc = (double)s->accesses;
  fprintf(out,
          "Accesses:\t%" PRIu64 "\t(TLB hits %" PRIu64 " = %.2f%%, walks %" PRIu64
          ", %.2f PMMU cycles/access)\n",
          s->accesses, s->tlb_hits, acc > 0 ? 100.0 * (double)s->tlb_hits / acc : 0.0, s->walks,
          acc > 0 ? (double)s->pmmu_cycles / acc : 0.0);
}
