/* The testbench operating system (os.h, docs/os.md). */
#include "os.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Software bits of a PTE (bits 11:9 are ignored by the PMMU). */
#define PTE_SW_SWAP (UINT32_C(1) << 9)  /* P = 0: bits 31:12 are a swap slot */
#define PTE_SW_COW (UINT32_C(1) << 10)  /* P = 1: read-only because the frame is shared */
#define PTE_P ((uint32_t)PMMU_PTE_P)
#define PTE_W ((uint32_t)PMMU_PTE_RW)
#define PTE_U ((uint32_t)PMMU_PTE_US)
#define PTE_A ((uint32_t)PMMU_PTE_A)
#define PTE_D ((uint32_t)PMMU_PTE_D)
#define KERNEL_PDE_INDEX (OS_KERNEL_START >> 22)
#define USER_PDES KERNEL_PDE_INDEX /* PDE 0 .. 767: user space below 3 GiB */
#define FLUSH_CEILING 32u          /* more pages than this: reload CR3 (Linux: 33) */
#define FILE_PROGRAM 1u
#define FILE_LIB 2u
#define TASK_KVA(slot) (OS_KERNEL_START + 0x1000u + (uint32_t)(slot) * 64u)
#define N_AREAS 5

typedef struct rmap_ent {
  uint16_t proc; /* process slot */
  uint32_t vpn;
} rmap_ent;

typedef enum frame_kind { FR_FREE, FR_ANON, FR_FILE, FR_LIB } frame_kind;

typedef struct frame {
  uint8_t kind;
  uint8_t file;
  bool dirty;  /* content newer than its backing copy (zero, file or swap slot) */
  bool pinned;
  int32_t slot; /* swap slot holding a clean copy, or -1 */
  uint32_t file_page;
  uint16_t nmap, cap;
  rmap_ent *map; /* the PTEs that map it */
} frame;

typedef struct swap_slot {
  bool used;
  uint32_t pte_refs; /* PTEs holding this slot as a swap entry */
  int32_t frame;     /* the frame caching its content (swap cache), or -1 */
  uint32_t *data;    /* 1024 words */
} swap_slot;

typedef struct proc {
  bool alive;
  int pid, ppid;
  char name[16];
  uint32_t dir_pa;
  uint32_t pt_pa[USER_PDES]; /* page table of each user PDE, 0 if none */
  os_area area[N_AREAS];
  bool has[N_AREAS];
  uint32_t heap_start;
  uint32_t ip, sp;
  unsigned swap_pages;
  unsigned segv_printed;
  uint32_t kfaults;          /* what the task struct in the kernel area holds */
  os_proc_stats st;
  uint32_t **shadow[1024];   /* shadow[va >> 22][(va >> 12) & 1023]: 1024 words as written */
} proc;

struct os {
  engine_t *e;
  os_config cfg;
  os_stats st;
  uint64_t now;
  uint32_t kernel_dir;
  int current; /* process slot, or -1 (the kernel's directory) */
  /* page-table pool */
  uint32_t *pt_free;
  unsigned pt_nfree;
  /* user frames */
  frame *fr;
  unsigned nframes; /* frames that exist (cfg.frames, more with OS_BUG_NO_FRAME_LIMIT) */
  unsigned *fr_free;
  unsigned fr_nfree;
  unsigned hand;
  int32_t *lib_frame; /* the library's page -> frame, or -1 */
  /* swap */
  swap_slot *sw;
  unsigned *sw_free;
  unsigned sw_nfree;
  /* processes */
  proc *procs[OS_MAX_PROCS];
  int *pid_slot;
  unsigned pid_cap;
  int next_pid;
  uint64_t fault_count;
  bool reported_fatal;
  os_proc_stats exited; /* the counters of every process that exited */
};

/* ---- Small helpers -------------------------------------------------------------------- */

static const char *const bug_names[] = {"none", "cow-no-copy", "swap-no-write", "no-invlpg",
                                        "text-writable", "kernel-user", "no-area-check",
                                        "lib-private", "no-frame-limit"};

bool os_bug_parse(const char *name, os_bug *out) {
  for (unsigned i = 0; i < sizeof bug_names / sizeof bug_names[0]; i++)
    if (strcmp(name, bug_names[i]) == 0) {
      *out = (os_bug)i;
      return true;
    }
  return false;
}

const char *os_bug_name(os_bug b) { return bug_names[b]; }

void os_config_init(os_config *c) {
  memset(c, 0, sizeof *c);
  c->frames = 1024;
  c->swap_slots = 65536;
  c->text_pages = 64;
  c->data_pages = 16;
  c->heap_pages = 512;
  c->lib_pages = 128;
  c->stack_pages = 256;
  c->shadow = true;
  c->check_every = 0;
  c->segv_print_limit = 10;
  c->log = NULL;
}

static uint64_t mix64(uint64_t z) {
  z += UINT64_C(0x9E3779B97F4A7C15);
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

uint32_t os_file_word(unsigned file, uint32_t page, uint32_t word) {
  return (uint32_t)mix64(((uint64_t)file << 40) | ((uint64_t)page << 12) | word);
}

const char *os_ec_text(uint32_t ec, char *buf, size_t len) {
  snprintf(buf, len, "%s %s, %s", (ec & PMMU_EC_US) ? "user" : "kernel",
           (ec & PMMU_EC_ID) ? "fetch" : (ec & PMMU_EC_WR) ? "write" : "read",
           (ec & PMMU_EC_RSVD) ? "reserved bit set" : (ec & PMMU_EC_P) ? "protection violation"
                                                                       : "page not present");
  return buf;
}

static FILE *logf_(const os_t *os) { return os->cfg.log ? os->cfg.log : stdout; }

static void fatal(os_t *os, const char *what) {
  os->st.kernel_errors++;
  if (!os->reported_fatal || os->st.kernel_errors < 10)
    fprintf(logf_(os), "pmmu-sim: kernel error: %s\n", what);
  os->reported_fatal = true;
}

static proc *proc_of(const os_t *os, int pid) {
  if (pid <= 0 || (unsigned)pid >= os->pid_cap || os->pid_slot[pid] < 0) return NULL;
  proc *p = os->procs[os->pid_slot[pid]];
  return p && p->alive ? p : NULL;
}

static int slot_of(const os_t *os, const proc *p) { return os->pid_slot[p->pid]; }

static uint64_t at(os_t *os) {
  uint64_t r = engine_ready_cycle(os->e);
  return r > os->now ? r : os->now;
}

static uint32_t rd32(const os_t *os, uint64_t pa) { return (uint32_t)engine_mem_read(os->e, pa, 4); }

static void wr32(os_t *os, uint64_t pa, uint32_t v) {
  if (!engine_mem_write(os->e, pa, 4, v)) fatal(os, "out of host memory");
}

static uint64_t frame_pa(unsigned f) { return OS_USER_FRAMES_PA + (uint64_t)f * OS_PAGE; }

static void zero_page(os_t *os, uint64_t pa) {
  for (unsigned i = 0; i < OS_PAGE; i += 8) engine_mem_write(os->e, pa + i, 8, 0);
}

static void copy_page(os_t *os, uint64_t to, uint64_t from) {
  for (unsigned i = 0; i < OS_PAGE; i += 8) engine_mem_write(os->e, to + i, 8, engine_mem_read(os->e, from + i, 8));
}

/* ---- Areas ------------------------------------------------------------------------------ */

static const os_area *area_at(const proc *p, uint32_t va) {
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

/* The word a page of an area holds before anything writes it. */
static uint32_t initial_word(const os_t *os, const os_area *a, uint32_t va) {
  uint32_t word = (va & (OS_PAGE - 1)) >> 2;
  switch (a->kind) {
  case OS_AREA_TEXT: return os_file_word(FILE_PROGRAM, (va - a->start) / OS_PAGE, word);
  case OS_AREA_DATA: return os_file_word(FILE_PROGRAM, os->cfg.text_pages + (va - a->start) / OS_PAGE, word);
  case OS_AREA_LIB: return os_file_word(FILE_LIB, (va - a->start) / OS_PAGE, word);
  default: return 0;
  }
}

/* ---- Shadow contents --------------------------------------------------------------------- */

static uint32_t *shadow_page(const proc *p, uint32_t va) {
  uint32_t **leaf = p->shadow[va >> 22];
  return leaf ? leaf[(va >> 12) & 1023] : NULL;
}

static uint32_t *shadow_page_for_write(os_t *os, proc *p, const os_area *a, uint32_t va) {
  uint32_t ***leaf = &p->shadow[va >> 22];
  if (!*leaf && !(*leaf = calloc(1024, sizeof **leaf))) return NULL;
  uint32_t **page = &(*leaf)[(va >> 12) & 1023];
  if (!*page) {
    if (!(*page = malloc(OS_PAGE))) return NULL;
    uint32_t base = va & ~(OS_PAGE - 1);
    for (uint32_t w = 0; w < 1024; w++) (*page)[w] = initial_word(os, a, base + 4 * w);
  }
  return *page;
}

static void shadow_drop(proc *p, uint32_t va) {
  uint32_t **leaf = p->shadow[va >> 22];
  if (!leaf) return;
  free(leaf[(va >> 12) & 1023]);
  leaf[(va >> 12) & 1023] = NULL;
}

static void shadow_free(proc *p) {
  for (unsigned i = 0; i < 1024; i++) {
    if (!p->shadow[i]) continue;
    for (unsigned j = 0; j < 1024; j++) free(p->shadow[i][j]);
    free(p->shadow[i]);
    p->shadow[i] = NULL;
  }
}

static bool shadow_copy(proc *to, const proc *from) {
  for (unsigned i = 0; i < 1024; i++) {
    if (!from->shadow[i]) continue;
    if (!(to->shadow[i] = calloc(1024, sizeof *to->shadow[i]))) return false;
    for (unsigned j = 0; j < 1024; j++) {
      if (!from->shadow[i][j]) continue;
      if (!(to->shadow[i][j] = malloc(OS_PAGE))) return false;
      memcpy(to->shadow[i][j], from->shadow[i][j], OS_PAGE);
    }
  }
  return true;
}

/* ---- The PMMU ------------------------------------------------------------------------------ */

static bool translate(os_t *os, proc *p, uint32_t la, pmmu_access acc, pmmu_priv priv, pmmu_response *r) {
  pmmu_request q = {.la = la, .access = acc, .priv = priv, .cycle = at(os)};
  int err = engine_translate(os->e, &q, r);
  if (err) {
    char what[128];
    snprintf(what, sizeof what, "the engine refused a request for 0x%08" PRIx32 " (%s)", la,
             pmmu_error_name((pmmu_error)err));
    fatal(os, what);
    return false;
  }
  os->now = r->response_cycle + 1;
  os->st.requests++;
  os->st.pmmu_cycles += r->cycles;
  if (r->tlb == PMMU_TLB_HIT) os->st.hits++;
  else if (r->tlb == PMMU_TLB_MISS) os->st.walks++;
  if (p) {
    p->st.pmmu_cycles += r->cycles;
    if (r->tlb == PMMU_TLB_HIT) p->st.tlb_hits++;
    else if (r->tlb == PMMU_TLB_MISS) p->st.walks++;
  }
  if (r->outcome == PMMU_PAGE_FAULT) {
    if (r->error_code & PMMU_EC_RSVD) os->st.pf_reserved++;
    else if (r->error_code & PMMU_EC_P) os->st.pf_protection++;
    else os->st.pf_not_present++;
  } else if (r->outcome == PMMU_BUS_ERROR) {
    os->st.bus_errors++;
  }
  return true;
}

/* A kernel access (supervisor) to the kernel area, checked against the expected value. */
static void kernel_access(os_t *os, bool write, uint32_t kva, uint32_t value) {
  pmmu_response r;
  os->st.kernel_accesses++;
  if (!translate(os, NULL, kva, write ? PMMU_WRITE : PMMU_READ, PMMU_SUPERVISOR, &r)) return;
  if (r.outcome != PMMU_OK || r.pa != OS_KERNEL_PA + (kva - OS_KERNEL_START)) {
    char what[128];
    snprintf(what, sizeof what, "kernel oops: supervisor %s of 0x%08" PRIx32 " did not translate to the kernel frame",
             write ? "write" : "read", kva);
    fatal(os, what);
    return;
  }
  if (write) {
    wr32(os, r.pa, value);
  } else if (rd32(os, r.pa) != value) {
    char what[128];
    snprintf(what, sizeof what, "kernel data at 0x%08" PRIx32 " reads 0x%08" PRIx32 ", expected 0x%08" PRIx32,
             kva, rd32(os, r.pa), value);
    fatal(os, what);
  }
}

static void invlpg(os_t *os, uint32_t va) {
  if (os->cfg.bug == OS_BUG_NO_INVLPG) return;
  uint64_t c = at(os);
  if (engine_invlpg(os->e, va, c) != PMMU_E_OK) fatal(os, "the engine refused an INVLPG");
  os->now = c + 1;
  os->st.invlpgs++;
}

/* INVLPG va if it belongs to the running address space (the others' entries went with the
 * last CR3 write). */
static void flush_page(os_t *os, const proc *p, uint32_t va) {
  if (os->current >= 0 && os->procs[os->current] == p) invlpg(os, va);
}

static void write_cr3(os_t *os, uint32_t dir) {
  pmmu_reg_result res;
  uint64_t c = at(os);
  if (engine_write_reg(os->e, REG_CR3, dir, c, &res) != PMMU_E_OK) fatal(os, "the engine refused a CR3 write");
  else os->now = res.done_cycle + 1;
}

/* ---- Page tables ---------------------------------------------------------------------------- */

static uint32_t pt_alloc(os_t *os) {
  if (!os->pt_nfree) {
    fatal(os, "out of page-table pages");
    return 0;
  }
  uint32_t pa = os->pt_free[--os->pt_nfree];
  zero_page(os, pa);
  return pa;
}

static void pt_release(os_t *os, uint32_t pa) { os->pt_free[os->pt_nfree++] = pa; }

static uint32_t kernel_pde(const os_t *os) {
  uint32_t v = OS_KERNEL_PA | PTE_P | PTE_W | (uint32_t)PMMU_PTE_PS | (uint32_t)PMMU_PTE_G;
  if (os->cfg.bug == OS_BUG_KERNEL_USER) v |= PTE_U;
  return v;
}

static uint32_t dir_alloc(os_t *os) {
  uint32_t dir = pt_alloc(os);
  if (dir) wr32(os, dir + 4 * KERNEL_PDE_INDEX, kernel_pde(os));
  return dir;
}

/* PA of the PTE for vpn, or 0 if its page table does not exist (create: make it). */
static uint32_t pte_addr(os_t *os, proc *p, uint32_t vpn, bool create) {
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

static uint32_t pte_addr_const(const proc *p, uint32_t vpn) {
  unsigned i = vpn >> 10;
  return i < USER_PDES && p->pt_pa[i] ? p->pt_pa[i] + 4 * (vpn & 1023) : 0;
}

/* ---- Frames, reverse maps, swap ------------------------------------------------------------ */

static unsigned frame_of_pte(uint32_t pte) {
  return (unsigned)(((uint64_t)(pte & 0xFFFFF000u) - OS_USER_FRAMES_PA) / OS_PAGE);
}

static bool pte_is_frame(const os_t *os, uint32_t pte) {
  uint64_t pa = pte & 0xFFFFF000u;
  return pa >= OS_USER_FRAMES_PA && frame_of_pte(pte) < os->nframes;
}

static void rmap_add(os_t *os, unsigned f, const proc *p, uint32_t vpn) {
  frame *fr = &os->fr[f];
  if (fr->nmap == fr->cap) {
    unsigned cap = fr->cap ? 2u * fr->cap : 2u;
    rmap_ent *grown = realloc(fr->map, cap * sizeof *grown);
    if (!grown) {
      fatal(os, "out of host memory");
      return;
    }
    fr->map = grown;
    fr->cap = (uint16_t)cap;
  }
  fr->map[fr->nmap++] = (rmap_ent){.proc = (uint16_t)slot_of(os, p), .vpn = vpn};
}

static void rmap_remove(os_t *os, unsigned f, const proc *p, uint32_t vpn) {
  frame *fr = &os->fr[f];
  uint16_t s = (uint16_t)slot_of(os, p);
  for (unsigned i = 0; i < fr->nmap; i++)
    if (fr->map[i].proc == s && fr->map[i].vpn == vpn) {
      fr->map[i] = fr->map[--fr->nmap];
      return;
    }
  fatal(os, "reverse map entry missing");
}

static void slot_free(os_t *os, unsigned s) {
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
static void slot_put(os_t *os, unsigned s) {
  swap_slot *sl = &os->sw[s];
  if (sl->pte_refs) sl->pte_refs--;
  if (!sl->pte_refs && sl->frame < 0) slot_free(os, s);
}

/* A frame nobody maps any more goes back to the free list. */
static void frame_release(os_t *os, unsigned f) {
  frame *fr = &os->fr[f];
  if (fr->slot >= 0) {
    swap_slot *sl = &os->sw[fr->slot];
    sl->frame = -1;
    if (!sl->pte_refs) slot_free(os, (unsigned)fr->slot);
  }
  if (fr->kind == FR_LIB && os->lib_frame[fr->file_page] == (int32_t)f) os->lib_frame[fr->file_page] = -1;
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
      uint32_t a = pte_addr_const(p, fr->map[i].vpn), pte = rd32(os, a);
      if (pte & PTE_A) {
        referenced = true;
        wr32(os, a, pte & ~PTE_A);
        os->st.clock_cleared++;
        flush_page(os, p, fr->map[i].vpn << 12);
      }
    }
    if (referenced) continue;
    evict(os, f);
    return (int)f;
  }
  return -1;
}

static int frame_alloc(os_t *os) {
  if (!os->fr_nfree && clock_evict(os) < 0) {
    fatal(os, "no frame can be evicted");
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

static void evict(os_t *os, unsigned f) {
  frame *fr = &os->fr[f];
  for (unsigned i = 0; i < fr->nmap; i++) {
    proc *p = os->procs[fr->map[i].proc];
    if (rd32(os, pte_addr_const(p, fr->map[i].vpn)) & PTE_D) fr->dirty = true;
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
          fatal(os, "out of swap");
          return;
        }
        fr->slot = s;
        os->sw[s].frame = (int32_t)f;
      }
      swap_slot *sl = &os->sw[fr->slot];
      if (os->cfg.bug != OS_BUG_SWAP_NO_WRITE)
        for (unsigned w = 0; w < 1024; w += 2) {
          uint64_t v = engine_mem_read(os->e, frame_pa(f) + 4 * w, 8);
          sl->data[w] = (uint32_t)v;
          sl->data[w + 1] = (uint32_t)(v >> 32);
        }
      os->st.swapouts++;
      for (unsigned i = 0; i < fr->nmap; i++) os->procs[fr->map[i].proc]->st.swapouts++;
    }
    entry = ((uint32_t)fr->slot << 12) | PTE_SW_SWAP;
  }
  for (unsigned i = 0; i < fr->nmap; i++) {
    proc *p = os->procs[fr->map[i].proc];
    wr32(os, pte_addr_const(p, fr->map[i].vpn), entry);
    if (entry) {
      os->sw[fr->slot].pte_refs++;
      p->swap_pages++;
    }
    flush_page(os, p, fr->map[i].vpn << 12);
  }
  os->st.evictions++;
  fr->nmap = 0;
  frame_release(os, f);
}

/* ---- Life cycle ----------------------------------------------------------------------------- */

os_t *os_create(engine_t *e, const os_config *cfg, char *why, size_t why_len) {
  if (cfg->frames < 4 || cfg->frames > OS_MAX_FRAMES) {
    snprintf(why, why_len, "the number of frames must be 4 .. %u", OS_MAX_FRAMES);
    return NULL;
  }
  if (cfg->swap_slots < 1 || cfg->swap_slots > (1u << 20)) {
    snprintf(why, why_len, "the swap area must be 1 .. 1048576 pages");
    return NULL;
  }
  if (!cfg->text_pages || !cfg->data_pages || !cfg->lib_pages || !cfg->stack_pages ||
      cfg->text_pages + cfg->data_pages + cfg->heap_pages > 0x20000u || cfg->lib_pages > 0x400u ||
      cfg->stack_pages > 0x1000u) {
    snprintf(why, why_len, "the area sizes do not fit the address space");
    return NULL;
  }
  os_t *os = calloc(1, sizeof *os);
  if (!os) goto oom;
  os->e = e;
  os->cfg = *cfg;
  os->current = -1;
  os->next_pid = 1;
  os->nframes = cfg->bug == OS_BUG_NO_FRAME_LIMIT ? cfg->frames * 4 : cfg->frames;
  if (os->nframes > OS_MAX_FRAMES) os->nframes = OS_MAX_FRAMES;
  os->fr = calloc(os->nframes, sizeof *os->fr);
  os->fr_free = calloc(os->nframes, sizeof *os->fr_free);
  os->pt_free = calloc(OS_PT_POOL_PAGES, sizeof *os->pt_free);
  os->sw = calloc(cfg->swap_slots, sizeof *os->sw);
  os->sw_free = calloc(cfg->swap_slots, sizeof *os->sw_free);
  os->lib_frame = calloc(cfg->lib_pages, sizeof *os->lib_frame);
  if (!os->fr || !os->fr_free || !os->pt_free || !os->sw || !os->sw_free || !os->lib_frame) goto oom;
  for (unsigned i = 0; i < os->nframes; i++) {
    os->fr[i].slot = -1;
    os->fr_free[os->fr_nfree++] = os->nframes - 1 - i; /* frame 0 first */
  }
  for (unsigned i = 0; i < OS_PT_POOL_PAGES; i++)
    os->pt_free[os->pt_nfree++] = OS_PT_POOL_PA + (OS_PT_POOL_PAGES - 1 - i) * OS_PAGE;
  for (unsigned i = 0; i < cfg->swap_slots; i++) {
    os->sw[i].frame = -1;
    os->sw_free[os->sw_nfree++] = cfg->swap_slots - 1 - i;
  }
  for (unsigned i = 0; i < cfg->lib_pages; i++) os->lib_frame[i] = -1;

  /* The boot: the kernel's own directory (the kernel area only), then paging with WP,
   * 4 MiB pages and global pages. */
  os->kernel_dir = dir_alloc(os);
  pmmu_reg_result res;
  if (engine_write_reg(e, REG_CR0, PMMU_CR0_PG | PMMU_CR0_WP, 0, &res) != PMMU_E_OK ||
      engine_write_reg(e, REG_CR4, PMMU_CR4_PSE | PMMU_CR4_PGE, 1, &res) != PMMU_E_OK ||
      engine_write_reg(e, REG_CR3, os->kernel_dir, 2, &res) != PMMU_E_OK) {
    snprintf(why, why_len, "the engine refused the boot's control-register writes");
    os_destroy(os);
    return NULL;
  }
  os->now = 3;
  return os;
oom:
  snprintf(why, why_len, "out of memory");
  os_destroy(os);
  return NULL;
}

void os_destroy(os_t *os) {
  if (!os) return;
  for (unsigned i = 0; i < OS_MAX_PROCS; i++) {
    if (!os->procs[i]) continue;
    shadow_free(os->procs[i]);
    free(os->procs[i]);
  }
  if (os->fr)
    for (unsigned i = 0; i < os->nframes; i++) free(os->fr[i].map);
  if (os->sw)
    for (unsigned i = 0; i < os->cfg.swap_slots; i++) free(os->sw[i].data);
  free(os->fr);
  free(os->fr_free);
  free(os->pt_free);
  free(os->sw);
  free(os->sw_free);
  free(os->lib_frame);
  free(os->pid_slot);
  free(os);
}

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
  p->dir_pa = dir_alloc(os);
  if (!p->dir_pa) return NULL;
  p->alive = true;
  return p;
}

static void set_area(proc *p, os_area_kind k, uint32_t start, uint32_t end, bool w, bool x, bool shared) {
  p->area[k] = (os_area){.kind = k, .start = start, .end = end, .r = true, .w = w, .x = x,
                         .shared = shared, .w_max = w};
  p->has[k] = end > start;
}

static void task_struct_init(os_t *os, proc *p) {
  kernel_access(os, true, TASK_KVA(slot_of(os, p)), (uint32_t)p->pid);
  kernel_access(os, true, TASK_KVA(slot_of(os, p)) + 4, p->kfaults);
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
  set_area(p, OS_AREA_STACK, OS_STACK_TOP - c->stack_pages * OS_PAGE, OS_STACK_TOP, true, false, false);
  p->area[OS_AREA_HEAP].kind = OS_AREA_HEAP; /* even when empty */
  p->ip = OS_TEXT_START;
  p->sp = OS_STACK_TOP - 16;
  task_struct_init(os, p);
  return p->pid;
}

bool os_alive(const os_t *os, int pid) { return proc_of(os, pid) != NULL; }

void os_switch(os_t *os, int pid) {
  proc *p = proc_of(os, pid);
  if (!p) return;
  int s = slot_of(os, p);
  if (os->current == s) return;
  write_cr3(os, p->dir_pa);
  os->current = s;
  os->st.context_switches++;
  kernel_access(os, false, TASK_KVA(s), (uint32_t)p->pid); /* the scheduler reads the task */
}

/* Unmaps one page of p: frees or drops what its PTE held. */
static void unmap_page(os_t *os, proc *p, uint32_t vpn, bool flush) {
  uint32_t a = pte_addr_const(p, vpn);
  if (!a) return;
  uint32_t pte = rd32(os, a);
  if (!pte) return;
  wr32(os, a, 0);
  if (pte & PTE_P) {
    if (flush) flush_page(os, p, vpn << 12);
    if (pte_is_frame(os, pte)) {
      unsigned f = frame_of_pte(pte);
      if (pte & PTE_D) os->fr[f].dirty = true;
      rmap_remove(os, f, p, vpn);
      if (!os->fr[f].nmap) frame_release(os, f);
    }
  } else if (pte & PTE_SW_SWAP) {
    p->swap_pages--;
    slot_put(os, pte >> 12);
  }
}

static void add_proc_stats(os_proc_stats *to, const os_proc_stats *s) {
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
    if (os->procs[s] && os->procs[s]->alive) add_proc_stats(out, &os->procs[s]->st);
}

unsigned os_pt_pages_used(const os_t *os) { return OS_PT_POOL_PAGES - os->pt_nfree; }

void os_exit(os_t *os, int pid) {
  proc *p = proc_of(os, pid);
  if (!p) return;
  int s = slot_of(os, p);
  if (os->current == s) { /* run on the kernel's directory from now on */
    write_cr3(os, os->kernel_dir);
    os->current = -1;
  }
  for (unsigned i = 0; i < USER_PDES; i++) {
    if (!p->pt_pa[i]) continue;
    for (unsigned j = 0; j < 1024; j++) unmap_page(os, p, (i << 10) | j, false);
    pt_release(os, p->pt_pa[i]);
    p->pt_pa[i] = 0;
  }
  pt_release(os, p->dir_pa);
  shadow_free(p);
  add_proc_stats(&os->exited, &p->st);
  p->alive = false;
  os->pid_slot[pid] = -1;
  os->st.exits++;
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
  unsigned nflush = 0;
  for (unsigned i = 0; i < USER_PDES; i++) {
    if (!parent->pt_pa[i]) continue;
    for (unsigned j = 0; j < 1024; j++) {
      uint32_t vpn = (i << 10) | j, pa = parent->pt_pa[i] + 4 * j, pte = rd32(os, pa);
      if (!pte) continue;
      uint32_t child = pte;
      if (pte & PTE_P) {
        unsigned f = frame_of_pte(pte);
        if (pte & PTE_D) os->fr[f].dirty = true;
        if (pte & PTE_W) { /* write-protect both: copy-on-write */
          pte = (pte & ~PTE_W) | PTE_SW_COW;
          wr32(os, pa, pte);
          if (nflush < FLUSH_CEILING) flush[nflush] = vpn << 12;
          nflush++;
        }
        child = pte & ~(PTE_A | PTE_D);
        rmap_add(os, f, c, vpn);
      } else if (pte & PTE_SW_SWAP) {
        os->sw[pte >> 12].pte_refs++;
        c->swap_pages++;
      }
      uint32_t ca = pte_addr(os, c, vpn, true);
      if (ca) wr32(os, ca, child);
    }
  }
  if (nflush > FLUSH_CEILING) {
    if (os->cfg.bug != OS_BUG_NO_INVLPG) {
      write_cr3(os, parent->dir_pa);
      os->st.cr3_flushes++;
    }
  } else {
    for (unsigned k = 0; k < nflush; k++) invlpg(os, flush[k]);
  }
  if (os->cfg.shadow && !shadow_copy(c, parent)) fatal(os, "out of host memory");
  c->kfaults = 0;
  task_struct_init(os, c);
  os->st.forks++;
  return c->pid;
}

/* ---- The page-fault handler ------------------------------------------------------------------ */

static void segv(os_t *os, proc *p, uint32_t va, uint32_t ec) {
  p->st.segv++;
  os->st.segv++;
  if (p->segv_printed >= os->cfg.segv_print_limit) return;
  p->segv_printed++;
  char dec[64], where[96] = "";
  const os_area *ip_area = area_at(p, p->ip);
  if (ip_area)
    snprintf(where, sizeof where, " in %s[%" PRIx32 "+%" PRIx32 "]",
             ip_area->kind == OS_AREA_LIB ? "libpmmu.so" : p->name, ip_area->start,
             ip_area->end - ip_area->start);
  fprintf(logf_(os), "%s[%d]: segfault at %" PRIx32 " ip %08" PRIx32 " sp %08" PRIx32 " error %" PRIx32 "%s (%s)\n",
          p->name, p->pid, va, p->ip, p->sp, ec, where, os_ec_text(ec, dec, sizeof dec));
}

static void fill_from_file(os_t *os, unsigned f, unsigned file, uint32_t page) {
  for (uint32_t w = 0; w < 1024; w += 2)
    engine_mem_write(os->e, frame_pa(f) + 4 * w, 8,
                     os_file_word(file, page, w) | (uint64_t)os_file_word(file, page, w + 1) << 32);
}

/* Maps frame f at vpn with the area's rights; shared: read-only (COW in a writable area). */
static void map_frame(os_t *os, proc *p, uint32_t vpn, unsigned f, const os_area *a, bool exclusive) {
  uint32_t pte = (uint32_t)frame_pa(f) | PTE_P | PTE_U;
  if (a->w) pte |= exclusive ? PTE_W : PTE_SW_COW;
  if (a->kind == OS_AREA_TEXT && os->cfg.bug == OS_BUG_TEXT_WRITABLE) pte |= PTE_W;
  uint32_t addr = pte_addr(os, p, vpn, true);
  if (!addr) return;
  wr32(os, addr, pte);
  rmap_add(os, f, p, vpn);
}

/* A not-present fault in area a: demand zero, file read, the library's frame, or swap-in. */
static void fault_in(os_t *os, proc *p, const os_area *a, uint32_t va) {
  uint32_t vpn = va >> 12, addr = pte_addr(os, p, vpn, true);
  if (!addr) return;
  uint32_t pte = rd32(os, addr);
  if (pte & PTE_P) { /* already fixed (cannot happen on one CPU) */
    os->st.spurious++;
    return;
  }
  if (pte & PTE_SW_SWAP) {
    unsigned s = pte >> 12;
    swap_slot *sl = &os->sw[s];
    int f = sl->frame;
    if (f >= 0) {
      p->st.swap_cache_hits++;
      p->st.minflt++;
    } else {
      if ((f = frame_alloc(os)) < 0) return;
      for (unsigned w = 0; w < 1024; w += 2)
        engine_mem_write(os->e, frame_pa((unsigned)f) + 4 * w, 8, sl->data[w] | (uint64_t)sl->data[w + 1] << 32);
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
    return;
  }
  if (a->kind == OS_AREA_LIB && os->cfg.bug != OS_BUG_LIB_PRIVATE) {
    uint32_t page = (va - a->start) / OS_PAGE;
    int f = os->lib_frame[page];
    if (f >= 0) {
      p->st.lib_maps++;
      p->st.minflt++;
    } else {
      if ((f = frame_alloc(os)) < 0) return;
      fill_from_file(os, (unsigned)f, FILE_LIB, page);
      os->fr[f].kind = FR_LIB;
      os->fr[f].file = FILE_LIB;
      os->fr[f].file_page = page;
      os->lib_frame[page] = f;
      p->st.file_reads++;
      p->st.majflt++;
    }
    map_frame(os, p, vpn, (unsigned)f, a, false);
    return;
  }
  int f = frame_alloc(os);
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
  } else {
    zero_page(os, frame_pa((unsigned)f));
    fr->kind = FR_ANON;
    p->st.zero_fills++;
    p->st.minflt++;
  }
  map_frame(os, p, vpn, (unsigned)f, a, true);
}

/* A write to a present read-only page of a writable area: break copy-on-write. */
static void cow_break(os_t *os, proc *p, uint32_t va) {
  uint32_t vpn = va >> 12, addr = pte_addr_const(p, vpn), pte = rd32(os, addr);
  unsigned old = frame_of_pte(pte);
  frame *fr = &os->fr[old];
  bool shared_slot = fr->slot >= 0 && os->sw[fr->slot].pte_refs > 0;
  p->st.minflt++;
  if (os->cfg.bug == OS_BUG_COW_NO_COPY || (fr->nmap == 1 && !shared_slot)) {
    if (fr->slot >= 0 && !shared_slot) { /* its swap copy is about to be stale */
      swap_slot *sl = &os->sw[fr->slot];
      sl->frame = -1;
      slot_free(os, (unsigned)fr->slot);
      fr->slot = -1;
      fr->dirty = true;
    }
    wr32(os, addr, (pte | PTE_W) & ~PTE_SW_COW);
    p->st.cow_reuses++;
  } else {
    fr->pinned = true;
    int f = frame_alloc(os);
    fr->pinned = false;
    if (f < 0) return;
    copy_page(os, frame_pa((unsigned)f), frame_pa(old));
    os->fr[f].kind = FR_ANON;
    os->fr[f].dirty = true;
    rmap_remove(os, old, p, vpn);
    if (!fr->nmap) frame_release(os, old);
    wr32(os, addr, (uint32_t)frame_pa((unsigned)f) | PTE_P | PTE_U | PTE_W);
    rmap_add(os, (unsigned)f, p, vpn);
    p->st.cow_copies++;
  }
  flush_page(os, p, va);
}

/* The #PF "interrupt": returns true if the access is to be retried, false for SIGSEGV. */
static bool page_fault(os_t *os, proc *p, const pmmu_response *r, os_access_kind kind) {
  uint32_t ec = r->error_code, va = r->cr2;
  os->st.faults_handled++;
  os->fault_count++;
  /* The handler's own bookkeeping, in the kernel area (supervisor, global). */
  p->kfaults++;
  kernel_access(os, true, TASK_KVA(slot_of(os, p)) + 4, p->kfaults);
  const os_area *a = va < OS_KERNEL_START ? area_at(p, va) : NULL;
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
    fault_in(os, p, a, va);
    retry = true;
  } else if (kind == OS_W) {
    cow_break(os, p, va);
    retry = true;
  } else {
    os->st.spurious++; /* a protection fault on a read of a readable page: nothing to fix */
  }
  if (!retry) segv(os, p, va, ec);
  if (os->cfg.check_every && os->fault_count % os->cfg.check_every == 0) {
    char why[256];
    os->st.check_runs++;
    if (os_check(os, why, sizeof why)) {
      os->st.check_failures++;
      if (os->st.check_failures <= 3) fprintf(logf_(os), "pmmu-sim: invariant violated after fault at 0x%08" PRIx32 ": %s\n", va, why);
    }
  }
  return retry;
}

bool os_access(os_t *os, int pid, os_access_kind kind, uint32_t va, uint32_t *value) {
  proc *p = proc_of(os, pid);
  if (!p) return false;
  os_switch(os, pid);
  p->st.accesses++;
  if (kind == OS_X) p->ip = va;
  else if (p->has[OS_AREA_STACK] && va >= p->area[OS_AREA_STACK].start && va < OS_STACK_TOP) p->sp = va;
  pmmu_access acc = kind == OS_R ? PMMU_READ : kind == OS_W ? PMMU_WRITE : PMMU_FETCH;
  for (unsigned attempt = 0; attempt < 4; attempt++) {
    pmmu_response r;
    if (!translate(os, p, va, acc, PMMU_USER, &r)) return true;
    if (r.outcome == PMMU_BUS_ERROR) {
      fatal(os, "bus error on a page walk");
      return true;
    }
    if (r.outcome == PMMU_PAGE_FAULT) {
      if (!page_fault(os, p, &r, kind)) return false;
      continue;
    }
    uint64_t pa = r.pa & ~UINT64_C(3);
    const os_area *a = area_at(p, va);
    if (kind == OS_W) {
      uint32_t v = value ? *value : 0;
      wr32(os, pa, v);
      if (os->cfg.shadow && a) {
        uint32_t *page = shadow_page_for_write(os, p, a, va);
        if (page) page[(va & (OS_PAGE - 1)) >> 2] = v;
      }
    } else {
      uint32_t v = rd32(os, pa);
      if (value) *value = v;
      if (os->cfg.shadow && a) {
        const uint32_t *page = shadow_page(p, va);
        uint32_t want = page ? page[(va & (OS_PAGE - 1)) >> 2] : initial_word(os, a, va & ~3u);
        os->st.data_checks++;
        if (v != want) {
          os->st.data_errors++;
          if (os->st.data_errors <= 5)
            fprintf(logf_(os), "pmmu-sim: data error: process %d read 0x%08" PRIx32 " at 0x%08" PRIx32
                               " (pa 0x%09" PRIx64 "), expected 0x%08" PRIx32 "\n", p->pid, v, va, pa, want);
        }
      }
    }
    return true;
  }
  fatal(os, "the same access faulted four times");
  return true;
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
      shadow_drop(p, va);
    }
    if (!each) {
      write_cr3(os, p->dir_pa);
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
    uint32_t addr = pte_addr_const(p, v >> 12);
    if (!addr) continue;
    uint32_t pte = rd32(os, addr);
    if (!(pte & PTE_P)) continue;
    uint32_t now_pte;
    if (!writable) {
      now_pte = pte & ~PTE_W;
      if (pte & PTE_D) os->fr[frame_of_pte(pte)].dirty = true;
    } else {
      frame *fr = &os->fr[frame_of_pte(pte)];
      bool exclusive = fr->nmap == 1 && !(fr->slot >= 0 && os->sw[fr->slot].pte_refs > 0);
      now_pte = exclusive ? ((pte | PTE_W) & ~PTE_SW_COW) : (pte | PTE_SW_COW);
      if (exclusive && fr->slot >= 0) { /* writable again: its swap copy may go stale */
        os->sw[fr->slot].frame = -1;
        slot_free(os, (unsigned)fr->slot);
        fr->slot = -1;
        fr->dirty = true;
      }
    }
    if (now_pte != pte) {
      wr32(os, addr, now_pte);
      if (!writable) flush_page(os, p, v); /* removing a right must reach the TLB */
    }
  }
  return true;
}

/* ---- Reports ------------------------------------------------------------------------------------- */

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

long os_frame_of(const os_t *os, int pid, uint32_t va) {
  const proc *p = proc_of(os, pid);
  if (!p) return -1;
  uint32_t a = pte_addr_const(p, va >> 12);
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
      if (!(pte & PTE_P) || !pte_is_frame(os, pte)) continue;
      out->rss_pages++;
      const frame *fr = &os->fr[frame_of_pte(pte)];
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
  static const os_area_kind order[] = {OS_AREA_TEXT, OS_AREA_DATA, OS_AREA_HEAP, OS_AREA_LIB, OS_AREA_STACK};
  for (unsigned i = 0; i < N_AREAS; i++) {
    const os_area *a = &p->area[order[i]];
    if (!p->has[order[i]]) continue;
    char name[64];
    bool file = a->kind == OS_AREA_TEXT || a->kind == OS_AREA_DATA || a->kind == OS_AREA_LIB;
    uint32_t offset = a->kind == OS_AREA_DATA ? os->cfg.text_pages * OS_PAGE : 0;
    fprintf(out, "%08" PRIx32 "-%08" PRIx32 " %c%c%c%c %08" PRIx32 " %s %-10u %s\n", a->start, a->end,
            a->r ? 'r' : '-', a->w ? 'w' : '-', a->x ? 'x' : '-', 'p', offset,
            file ? "00:01" : "00:00", file ? (a->kind == OS_AREA_LIB ? FILE_LIB : FILE_PROGRAM) : 0u,
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
  fprintf(out, "State:\t%s\n", os->current >= 0 && os->procs[os->current] == p ? "R (running)" : "S (sleeping)");
  fprintf(out, "Pid:\t%d\nPPid:\t%d\n", p->pid, p->ppid);
  fprintf(out, "VmSize:\t%8u kB\n", u.vm_pages * 4);
  fprintf(out, "VmRSS:\t%8u kB\n", u.rss_pages * 4);
  fprintf(out, "RssAnon:\t%8u kB\n", u.rss_anon * 4);
  fprintf(out, "RssFile:\t%8u kB\n", (u.rss_file + u.rss_lib) * 4);
  fprintf(out, "VmSwap:\t%8u kB\n", u.swap_pages * 4);
  fprintf(out, "MinFlt:\t%" PRIu64 "\t(zero-fill %" PRIu64 ", library page already resident %" PRIu64
               ", swap cache %" PRIu64 ", copy-on-write %" PRIu64 " copied + %" PRIu64 " reused)\n",
          s->minflt, s->zero_fills, s->lib_maps, s->swap_cache_hits, s->cow_copies, s->cow_reuses);
  fprintf(out, "MajFlt:\t%" PRIu64 "\t(file read %" PRIu64 ", swap-in %" PRIu64 ")\n", s->majflt, s->file_reads,
          s->swapins);
  fprintf(out, "SwapIn:\t%" PRIu64 "\nSwapOut:\t%" PRIu64 "\n", s->swapins, s->swapouts);
  fprintf(out, "SigSegv:\t%" PRIu64 "\n", s->segv);
  double acc = (double)s->accesses;
  fprintf(out, "Accesses:\t%" PRIu64 "\t(TLB hits %" PRIu64 " = %.2f%%, walks %" PRIu64 ", %.2f PMMU cycles/access)\n",
          s->accesses, s->tlb_hits, acc > 0 ? 100.0 * (double)s->tlb_hits / acc : 0.0, s->walks,
          acc > 0 ? (double)s->pmmu_cycles / acc : 0.0);
}

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

unsigned os_check(os_t *os, char *why, size_t why_len) {
  checker ck = {.why = why, .len = why_len};
  if (why && why_len) why[0] = '\0';
  unsigned *maps = calloc(os->nframes, sizeof *maps), *refs = calloc(os->cfg.swap_slots, sizeof *refs);
  if (!maps || !refs) {
    free(maps);
    free(refs);
    violation(&ck, "out of host memory");
    return ck.violations;
  }
  uint32_t kpde = kernel_pde(os);
  for (unsigned s = 0; s < OS_MAX_PROCS; s++) {
    proc *p = os->procs[s];
    if (!p || !p->alive) continue;
    unsigned swapped = 0;
    for (unsigned i = 0; i < 1024; i++) {
      uint32_t pde = rd32(os, p->dir_pa + 4 * i);
      if (i == KERNEL_PDE_INDEX) {
        if ((pde & ~(PTE_A | PTE_D)) != kpde)
          violation(&ck, "pid %d: kernel PDE is 0x%08" PRIx32 ", not supervisor global 0x%08" PRIx32, p->pid, pde, kpde);
        continue;
      }
      uint32_t want = i < USER_PDES && p->pt_pa[i] ? (p->pt_pa[i] | PTE_P | PTE_W | PTE_U) : 0;
      if ((pde & ~PTE_A) != want)
        violation(&ck, "pid %d: PDE %u is 0x%08" PRIx32 ", expected 0x%08" PRIx32, p->pid, i, pde, want);
    }
    for (unsigned i = 0; i < USER_PDES; i++) {
      if (!p->pt_pa[i]) continue;
      for (unsigned j = 0; j < 1024; j++) {
        uint32_t pte = rd32(os, p->pt_pa[i] + 4 * j);
        if (!pte) continue;
        uint32_t vpn = (i << 10) | j, va = vpn << 12;
        const os_area *a = area_at(p, va);
        if (!a) {
          violation(&ck, "pid %d: 0x%08" PRIx32 " is outside every area but its PTE is 0x%08" PRIx32, p->pid, va, pte);
          continue;
        }
        if (!(pte & PTE_P)) {
          if ((pte & 0xFFFu) != PTE_SW_SWAP || (pte >> 12) >= os->cfg.swap_slots || !os->sw[pte >> 12].used) {
            violation(&ck, "pid %d: 0x%08" PRIx32 ": not-present PTE 0x%08" PRIx32 " is no swap entry", p->pid, va, pte);
            continue;
          }
          refs[pte >> 12]++;
          swapped++;
          continue;
        }
        if (!pte_is_frame(os, pte) || os->fr[frame_of_pte(pte)].kind == FR_FREE) {
          violation(&ck, "pid %d: 0x%08" PRIx32 " maps 0x%08" PRIx32 ", not a frame in use", p->pid, va, pte & 0xFFFFF000u);
          continue;
        }
        unsigned f = frame_of_pte(pte);
        const frame *fr = &os->fr[f];
        maps[f]++;
        if (!(pte & PTE_U)) violation(&ck, "pid %d: 0x%08" PRIx32 ": user page without U", p->pid, va);
        if ((pte & PTE_W) && !a->w)
          violation(&ck, "pid %d: 0x%08" PRIx32 " is writable in a read-only area", p->pid, va);
        if ((pte & PTE_W) && (pte & PTE_SW_COW))
          violation(&ck, "pid %d: 0x%08" PRIx32 " is writable and copy-on-write", p->pid, va);
        if ((pte & PTE_W) && (fr->nmap != 1 || (fr->slot >= 0 && os->sw[fr->slot].pte_refs)))
          violation(&ck, "pid %d: 0x%08" PRIx32 " is writable but frame %u is shared (%u mappings)", p->pid, va, f, fr->nmap);
        if (a->w && !(pte & PTE_W) && !(pte & PTE_SW_COW))
          violation(&ck, "pid %d: 0x%08" PRIx32 ": read-only in a writable area without copy-on-write", p->pid, va);
        if (fr->kind == FR_LIB && (a->kind != OS_AREA_LIB || fr->file_page != (va - a->start) / OS_PAGE))
          violation(&ck, "pid %d: 0x%08" PRIx32 " maps library frame %u of page %u", p->pid, va, f, fr->file_page);
        if (!rmap_has(fr, (uint16_t)s, vpn))
          violation(&ck, "pid %d: 0x%08" PRIx32 " maps frame %u without a reverse-map entry", p->pid, va, f);
      }
    }
    uint64_t task = OS_KERNEL_PA + (TASK_KVA(s) - OS_KERNEL_START);
    if (rd32(os, task) != (uint32_t)p->pid || rd32(os, task + 4) != p->kfaults)
      violation(&ck, "pid %d: its task struct in the kernel area holds pid %" PRIu32 ", %" PRIu32 " faults (expected %" PRIu32 ")",
                p->pid, rd32(os, task), rd32(os, task + 4), p->kfaults);
    if (swapped != p->swap_pages)
      violation(&ck, "pid %d: %u swap entries in the page tables, %u counted", p->pid, swapped, p->swap_pages);
  }
  unsigned used = 0;
  for (unsigned f = 0; f < os->nframes; f++) {
    const frame *fr = &os->fr[f];
    if (fr->kind == FR_FREE) {
      if (maps[f]) violation(&ck, "free frame %u is mapped %u times", f, maps[f]);
      continue;
    }
    used++;
    if (maps[f] != fr->nmap) violation(&ck, "frame %u: %u PTEs map it, reverse map says %u", f, maps[f], fr->nmap);
    if (!fr->nmap) violation(&ck, "frame %u is in use but mapped nowhere", f);
    if (fr->slot >= 0 && (!os->sw[fr->slot].used || os->sw[fr->slot].frame != (int32_t)f))
      violation(&ck, "frame %u and its swap slot %d disagree", f, fr->slot);
    /* mapped more than once: the library's, or copy-on-write (no PTE writable: checked above) */
  }
  if (used > os->cfg.frames) violation(&ck, "%u frames in use, only %u exist", used, os->cfg.frames);
  for (unsigned s = 0; s < os->cfg.swap_slots; s++) {
    const swap_slot *sl = &os->sw[s];
    if (!sl->used) {
      if (refs[s]) violation(&ck, "free swap slot %u is referenced %u times", s, refs[s]);
      continue;
    }
    if (refs[s] != sl->pte_refs) violation(&ck, "swap slot %u: %u PTEs hold it, counted %u", s, refs[s], sl->pte_refs);
    if (!sl->pte_refs && sl->frame < 0) violation(&ck, "swap slot %u is in use by nothing", s);
  }
  for (unsigned k = 0; k < os->cfg.lib_pages; k++) {
    int32_t f = os->lib_frame[k];
    if (f >= 0 && (os->fr[f].kind != FR_LIB || os->fr[f].file_page != k))
      violation(&ck, "library page %u points at frame %d, which is not it", k, f);
  }
  free(maps);
  free(refs);
  return ck.violations;
}
