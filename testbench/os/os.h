/*
 * The testbench operating system: a small OS personality that drives the PMMU through an
 * engine (engine.h) and services its page-fault "interrupt" (docs/os.md).
 *
 * - Per-process page directories, 32-bit paging, 4 KiB user pages, CR4.PSE and CR4.PGE on;
 *   the kernel area is one 4 MiB supervisor global page in every directory.
 * - Memory areas (VMAs): text r-x and data rw- backed by the program file, heap (brk) and
 *   stack demand-zero, a shared library's text with one physical copy for every process.
 * - A physical frame allocator with a fixed number of user frames; page replacement by the
 *   clock algorithm over the A bits the PMMU writes; dirty pages (D) go to a swap area and
 *   come back on a later fault.
 * - fork with copy-on-write, exit, brk, munmap, mprotect (INVLPG on every unmap and
 *   protection change of the running address space), context switches as CR3 writes.
 * - SIGSEGV for addresses outside every area and for rights violations, printed like the
 *   Linux kernel's segfault line.
 * - Data lives in physical memory, at the translated address: every 32-bit read is checked
 *   against a shadow copy of what the process wrote (os_config.shadow).
 */
#ifndef PMMU_OS_H
#define PMMU_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Address-space layout (every process alike) ------------------------------------- */

#define OS_PAGE 4096u
#define OS_TEXT_START 0x08048000u
#define OS_LIB_START 0xB7E00000u
#define OS_STACK_TOP 0xC0000000u
#define OS_KERNEL_START 0xC0000000u
#define OS_KERNEL_END 0xC0400000u /* one 4 MiB global page */
#define OS_KERNEL_PA 0x00400000u  /* its frame */
#define OS_PT_POOL_PA 0x00800000u /* page directories and page tables */
#define OS_PT_POOL_PAGES 8192u
#define OS_USER_FRAMES_PA 0x04000000u /* user frame i is at OS_USER_FRAMES_PA + i * 4 KiB */
#define OS_MAX_FRAMES 262144u
#define OS_MAX_PROCS 256u

/* Deliberate bugs, so that every test can be shown to fail (tests/os_tests.c). */
typedef enum os_bug {
  OS_BUG_NONE,
  OS_BUG_COW_NO_COPY,    /* a write fault on a COW page makes the shared frame writable */
  OS_BUG_SWAP_NO_WRITE,  /* a dirty page is evicted without being written to swap */
  OS_BUG_NO_INVLPG,      /* no INVLPG on unmap or protection change */
  OS_BUG_TEXT_WRITABLE,  /* text pages are mapped writable */
  OS_BUG_KERNEL_USER,    /* the kernel area is mapped with U = 1 */
  OS_BUG_NO_AREA_CHECK,  /* a fault outside every area maps a zero page */
  OS_BUG_LIB_PRIVATE,    /* every process gets its own copy of the library */
  OS_BUG_NO_FRAME_LIMIT, /* the allocator ignores the number of frames */
} os_bug;

bool os_bug_parse(const char *name, os_bug *out);
const char *os_bug_name(os_bug b);

typedef struct os os_t;
struct os_event;
/* Called as each event happens (os_config.event): `os` may be read (its accessors, its
 * engine's state) but not changed. */
typedef void (*os_event_fn)(void *ctx, const os_t *os, const struct os_event *ev);

typedef struct os_config {
  unsigned frames;           /* user frames (default 1024 = 4 MiB) */
  unsigned swap_slots;       /* swap area size in pages (default 65536) */
  unsigned text_pages;       /* default 64 */
  unsigned data_pages;       /* default 16 */
  unsigned heap_pages;       /* initial brk size, default 512 */
  unsigned lib_pages;        /* default 128 */
  unsigned stack_pages;      /* default 256 */
  bool shadow;               /* check every read against what was written (default true) */
  unsigned check_every;      /* run os_check after every N-th fault (0: never; 1: every fault) */
  unsigned segv_print_limit; /* segfault lines printed per process (default 10) */
  FILE *log;                 /* segfault lines and internal errors (default stdout) */
  os_bug bug;
  os_event_fn event; /* every event as it happens (NULL: none, and no cost) */
  void *event_ctx;
} os_config;

void os_config_init(os_config *c);

typedef enum os_access_kind { OS_R, OS_W, OS_X } os_access_kind;

/* What the fault handler did, by kind. */
typedef struct os_proc_stats {
  uint64_t accesses; /* user accesses (retries after a fault not counted) */
  uint64_t tlb_hits, walks;
  uint64_t pmmu_cycles; /* sum of R - A over the process's requests, retries included */
  uint64_t minflt, majflt;
  uint64_t zero_fills, file_reads, lib_maps, swap_cache_hits;
  uint64_t cow_copies, cow_reuses;
  uint64_t swapins, swapouts;
  uint64_t segv;
} os_proc_stats;

typedef struct os_stats {
  uint64_t requests; /* every PMMU request: user, retries, kernel */
  uint64_t hits, walks;
  uint64_t pmmu_cycles; /* sum of R - A */
  uint64_t pf_not_present, pf_protection, pf_reserved, bus_errors;
  uint64_t faults_handled; /* #PF interrupts serviced */
  uint64_t spurious;       /* faults the handler found nothing to fix for (should be 0) */
  uint64_t kernel_accesses;
  uint64_t context_switches, invlpgs, cr3_flushes;
  uint64_t clock_sweeps, clock_cleared, evictions, swapouts, swapins;
  uint64_t data_checks, data_errors, kernel_errors, check_runs, check_failures;
  uint64_t forks, exits, segv;
  uint64_t cycle; /* the simulated cycle now */
} os_stats;

/* NULL (with a reason in why) if the configuration is bad or memory runs out. Sets CR0
 * (PG, WP), CR4 (PSE, PGE) and maps the kernel area. The engine stays the caller's. */
os_t *os_create(engine_t *e, const os_config *cfg, char *why, size_t why_len);
void os_destroy(os_t *os);

/* A new process running the program (exec): returns its PID (>= 1), or -1. */
int os_spawn(os_t *os, const char *name);
/* fork of `pid`: returns the child's PID, or -1. */
int os_fork(os_t *os, int pid);
void os_exit(os_t *os, int pid);
bool os_alive(const os_t *os, int pid);

/* One user access by `pid` (switching to it first if it is not running). A write stores
 * `value` at va & ~3; a read or fetch returns the 32-bit word there in *value (may be NULL).
 * Returns true, or false when the process got a SIGSEGV (it has a handler that skips the
 * access, so it goes on running). */
bool os_access(os_t *os, int pid, os_access_kind kind, uint32_t va, uint32_t *value);
/* Context switch (a CR3 write) to pid. */
void os_switch(os_t *os, int pid);

/* The heap: brk in pages above the heap start (shrinking unmaps). */
bool os_set_heap_pages(os_t *os, int pid, unsigned pages);
/* mprotect over [va, va + len), page-aligned, inside one area; writable toggles W. */
bool os_mprotect(os_t *os, int pid, uint32_t va, uint32_t len, bool writable);

/* The areas of a process, for generators and the maps listing. */
typedef enum os_area_kind {
  OS_AREA_TEXT,
  OS_AREA_DATA,
  OS_AREA_HEAP,
  OS_AREA_LIB,
  OS_AREA_STACK
} os_area_kind;
typedef struct os_area {
  os_area_kind kind;
  uint32_t start, end; /* [start, end) */
  bool r, w, x, shared;
  bool w_max; /* writable before any mprotect (data, heap, stack) */
} os_area;
/* ---- Events: what the kernel does, as it does it (pmmu sim --log, pmmu trace) ---------- */

typedef enum os_event_kind {
  OS_EV_FAULT,  /* a not-present fault fixed: a page mapped (how: os_fault_how) */
  OS_EV_EVICT,  /* a page lost its frame to the clock: one event per PTE that mapped it */
  OS_EV_COW,    /* a write fault on a copy-on-write page: copied (how 0) or reused (how 1) */
  OS_EV_SEGV,   /* SIGSEGV delivered (every one: the segfault lines stop at a limit) */
  OS_EV_SWITCH, /* a context switch: CR3 written with the directory of pid */
  OS_EV_EXEC,   /* a new process (os_spawn) */
  OS_EV_FORK,   /* pid forked other_pid */
  OS_EV_EXIT,   /* pid exited */
  /* The PMMU's side of user accesses, for tools (pmmu trace); not in the event log. */
  OS_EV_REQUEST,  /* a user translation is about to be presented (every attempt) */
  OS_EV_RESPONSE, /* ... and its response */
  OS_EV_ACCESS    /* a user access is over (done, or SIGSEGV) */
} os_event_kind;

typedef enum os_fault_how {
  OS_FAULT_ZERO,       /* minor: a zeroed frame (heap, stack) */
  OS_FAULT_FILE,       /* major: read from the program or the library file */
  OS_FAULT_LIB,        /* minor: the library's frame, already resident */
  OS_FAULT_SWAP_CACHE, /* minor: the swap slot's frame, still resident */
  OS_FAULT_SWAPIN      /* major: read back from the swap slot */
} os_fault_how;

typedef enum os_evict_fate {
  OS_EVICT_SWAP_WRITE, /* dirty: written to the slot, the PTE holds the swap entry */
  OS_EVICT_SWAP_CLEAN, /* clean with a copy on swap: the PTE holds the swap entry */
  OS_EVICT_DROP_FILE,  /* a clean file page: PTE 0, read from the file again */
  OS_EVICT_DROP_ZERO   /* a page never written: PTE 0, zero-filled again */
} os_evict_fate;

/* One event. Which fields mean something depends on the kind (the rest are 0 or -1). */
typedef struct os_event {
  os_event_kind kind;
  uint64_t access;    /* user accesses begun so far: the event happened during (or after) it */
  uint64_t cycle;     /* the simulated cycle */
  int pid;            /* the process: EVICT the page's owner, SWITCH the new one, FORK the parent */
  const char *name;   /* its name */
  uint32_t va;        /* FAULT, EVICT, COW: the page; SEGV: CR2; REQUEST..ACCESS: the address */
  os_access_kind acc; /* FAULT, COW, SEGV, REQUEST, RESPONSE, ACCESS */
  os_area_kind area;  /* FAULT, EVICT, COW */
  unsigned how;       /* FAULT: os_fault_how; EVICT: os_evict_fate; COW: 0 copy, 1 reuse */
  int32_t frame;      /* FAULT: the frame mapped; EVICT: the frame lost; COW: the new frame */
  int32_t old_frame;  /* COW: the frame written to (copy: copied from) */
  int32_t slot;       /* FAULT from swap, EVICT to swap: the swap slot */
  unsigned sharer;    /* EVICT: which of the PTEs that mapped the frame (0: the first) */
  uint32_t file_page; /* FAULT from a file: the page of the file */
  uint32_t error_code;           /* SEGV */
  int other_pid;                 /* SWITCH: the process before (0: the kernel); FORK: the child */
  uint32_t cr3;                  /* SWITCH */
  unsigned pages;                /* FORK: PTEs copied; EXIT: resident pages released */
  unsigned cow_pages;            /* FORK: pages made copy-on-write */
  unsigned swap_entries;         /* EXIT: swap entries released */
  unsigned attempt;              /* REQUEST, RESPONSE: 0, then 1.. for retries after a fault */
  const pmmu_response *response; /* RESPONSE */
  bool segv;                     /* ACCESS: it ended in SIGSEGV */
} os_event;

/* The engine the kernel runs on (tools read the TLB through it). */
engine_t *os_engine(const os_t *os);

/* The area of kind `kind` of pid; false if none (e.g. an empty heap). */
bool os_area_of(const os_t *os, int pid, os_area_kind kind, os_area *out);
/* /proc/PID/maps */
void os_print_maps(const os_t *os, int pid, FILE *out);
/* /proc/PID/status (plus the simulator's counters) */
void os_print_status(const os_t *os, int pid, FILE *out);

/* /proc/PID/smaps and pagemap in one (docs/os.md, "The page map"): per area, every page
 * present or on swap with its state and flags, the untouched ones as ranges, and the area's
 * Rss, Shared, Private and Swap; the totals equal VmRSS and VmSwap of os_print_status. */
void os_print_pagemap(const os_t *os, int pid, FILE *out);

/* Resident pages: distinct frames mapped by pid; and split as /proc shows. */
typedef struct os_mem_usage {
  unsigned vm_pages, rss_pages, rss_anon, rss_file, rss_lib, swap_pages;
} os_mem_usage;
void os_mem_usage_of(const os_t *os, int pid, os_mem_usage *out);

/* Whole-system invariants: page tables agree with the areas; a frame mapped twice is the
 * library's or copy-on-write (read-only everywhere); reference counts, reverse maps and swap
 * counts agree with the page tables; the frames in use never exceed the limit. Returns the
 * number of violations (0 = consistent) and describes the first in why. */
unsigned os_check(os_t *os, char *why, size_t why_len);

const os_stats *os_get_stats(os_t *os);
const os_proc_stats *os_get_proc_stats(const os_t *os, int pid);
/* The per-process counters summed over every process, those that exited too. */
void os_total_proc_stats(const os_t *os, os_proc_stats *out);
/* Page directories and page tables in use. */
unsigned os_pt_pages_used(const os_t *os);
/* Frames in use (user frames), frames configured, swap slots in use. */
unsigned os_frames_used(const os_t *os);
unsigned os_frames_total(const os_t *os);
unsigned os_swap_used(const os_t *os);
/* The physical frame that backs pid's va now (-1 if not present), from the page tables. */
long os_frame_of(const os_t *os, int pid, uint32_t va);
/* The parent of pid (0 if none), and its name. */
int os_ppid(const os_t *os, int pid);
int os_current(const os_t *os);
/* Every PID alive, in creation order; returns the count. */
unsigned os_pids(const os_t *os, int *pids, unsigned max);
/* The highest PID given so far (0: none): a PID up to it that is not alive has exited. */
int os_last_pid(const os_t *os);
/* The content a backed page starts with (file 1 = the program, 2 = the library). */
uint32_t os_file_word(unsigned file, uint32_t page, uint32_t word);
/* Describes an error code as the segfault line does: "user write, protection". */
const char *os_ec_text(uint32_t ec, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
