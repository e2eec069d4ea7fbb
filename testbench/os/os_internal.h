/* What the files of the testbench OS share (os.h is the public API; docs/os.md lists which
 * file does what): the kernel's data structures, a few one-line helpers, and the functions
 * one file defines for the others. Everything else stays static in its file. */
#ifndef PMMU_OS_INTERNAL_H
#define PMMU_OS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "os.h"

/* Software bits of a PTE (bits 11:9 are ignored by the PMMU). */
#define PTE_SW_SWAP (UINT32_C(1) << 9) /* P = 0: bits 31:12 are a swap slot */
#define PTE_SW_COW (UINT32_C(1) << 10) /* P = 1: read-only because the frame is shared */
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
#define TASK_KVA(slot) (OS_KERNEL_START + 0x1000u + (uint32_t)(slot)*64u)
#define N_AREAS 5

typedef struct rmap_ent {
  uint16_t proc; /* process slot */
  uint32_t vpn;
} rmap_ent;

typedef enum frame_kind { FR_FREE, FR_ANON, FR_FILE, FR_LIB } frame_kind;

typedef struct frame {
  uint8_t kind;
  uint8_t file;
  bool dirty; /* content newer than its backing copy (zero, file or swap slot) */
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
  uint32_t kfaults; /* what the task struct in the kernel area holds */
  os_proc_stats st;
  uint32_t **shadow[1024]; /* shadow[va >> 22][(va >> 12) & 1023]: 1024 words as written */
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
  uint64_t accesses;    /* user accesses begun (the events' time) */
  os_proc_stats exited; /* the counters of every process that exited */
};

/* os.c: an internal error of the kernel, counted and printed (the first ten). */
void kern_fatal(os_t *os, const char *what);

/* os.c: hands an event to os_config.event (the caller tests kern_events first, so that an
 * event costs nothing when nobody listens); fills in the time and the process's name. */
void kern_emit(os_t *os, os_event *ev);
/* A blank event of `kind` for pid (frames and slots -1). */
os_event kern_event(os_event_kind kind, int pid, uint32_t va);

/* ---- One-line helpers ----------------------------------------------------------------- */

static inline bool kern_events(const os_t *os) { return os->cfg.event != NULL; }

static inline FILE *logf_(const os_t *os) { return os->cfg.log ? os->cfg.log : stdout; }

static inline proc *proc_of(const os_t *os, int pid) {
  if (pid <= 0 || (unsigned)pid >= os->pid_cap || os->pid_slot[pid] < 0) return NULL;
  proc *p = os->procs[os->pid_slot[pid]];
  return p && p->alive ? p : NULL;
}

static inline int slot_of(const os_t *os, const proc *p) { return os->pid_slot[p->pid]; }

static inline uint32_t rd32(const os_t *os, uint64_t pa) {
  return (uint32_t)engine_mem_read(os->e, pa, 4);
}

static inline void wr32(os_t *os, uint64_t pa, uint32_t v) {
  if (engine_mem_write(os->e, pa, 4, v) != TB_OK) kern_fatal(os, engine_error(os->e)->msg);
}

static inline void wr64(os_t *os, uint64_t pa, uint64_t v) {
  if (engine_mem_write(os->e, pa, 8, v) != TB_OK) kern_fatal(os, engine_error(os->e)->msg);
}

/* A whole page (OS_PAGE / 8 words) at once: one copy per memory (engine_mem_write_words). */
static inline void wr_page(os_t *os, uint64_t pa, const uint64_t *v) {
  if (engine_mem_write_words(os->e, pa, v, OS_PAGE / 8) != TB_OK)
    kern_fatal(os, engine_error(os->e)->msg);
}

static inline void rd_page(const os_t *os, uint64_t pa, uint64_t *v) {
  engine_mem_read_words(os->e, pa, v, OS_PAGE / 8);
}

static inline uint64_t frame_pa(unsigned f) { return OS_USER_FRAMES_PA + (uint64_t)f * OS_PAGE; }

/* ---- os_pmmu.c: the kernel's requests to the PMMU ----------------------------------------- */

bool kern_translate(os_t *os, proc *p, uint32_t la, pmmu_access acc, pmmu_priv priv,
                    pmmu_response *r);
void kern_access(os_t *os, bool write, uint32_t kva, uint32_t value);
void kern_invlpg(os_t *os, uint32_t va);
/* The #PF interrupt as the handler sees it in the current cycle (the line, the latched CR2 and
 * error code), and its ack in that cycle (timing.md T10). False after kern_fatal. */
bool kern_interrupt(os_t *os, pmmu_interrupt_state *irq);
void kern_ack(os_t *os);
void kern_flush_page(os_t *os, const proc *p, uint32_t va);
void kern_write_cr3(os_t *os, uint32_t dir);

/* ---- os_frames.c: physical pages, user frames, reverse maps, swap, the clock --------------- */

void kern_zero_page(os_t *os, uint64_t pa);
void kern_copy_page(os_t *os, uint64_t to, uint64_t from);
unsigned kern_frame_of_pte(uint32_t pte);
bool kern_pte_is_frame(const os_t *os, uint32_t pte);
void kern_rmap_add(os_t *os, unsigned f, const proc *p, uint32_t vpn);
void kern_rmap_remove(os_t *os, unsigned f, const proc *p, uint32_t vpn);
void kern_slot_free(os_t *os, unsigned s);
void kern_slot_put(os_t *os, unsigned s);
void kern_frame_release(os_t *os, unsigned f);
int kern_frame_alloc(os_t *os);

/* ---- os_proc.c: areas, page tables, processes ------------------------------------------------ */

const os_area *kern_area_at(const proc *p, uint32_t va);
uint32_t kern_pde(const os_t *os);
uint32_t kern_dir_alloc(os_t *os);
uint32_t kern_pte_addr(os_t *os, proc *p, uint32_t vpn, bool create);
uint32_t kern_pte_addr_const(const proc *p, uint32_t vpn);

/* ---- os_shadow.c: what user memory must hold ---------------------------------------------------- */

void kern_shadow_write(os_t *os, proc *p, const os_area *a, uint32_t va, uint32_t v);
void kern_shadow_check_read(os_t *os, const proc *p, const os_area *a, uint32_t va, uint64_t pa,
                            uint32_t v);
void kern_shadow_drop(proc *p, uint32_t va);
void kern_shadow_free(proc *p);
bool kern_shadow_copy(proc *to, const proc *from);

/* ---- os_report.c ------------------------------------------------------------------------------ */

void kern_add_proc_stats(os_proc_stats *to, const os_proc_stats *s);

#endif
