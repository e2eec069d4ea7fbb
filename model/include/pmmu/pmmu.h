/*
 * libpmmu: the cycle-level reference model of the x86-32 paging MMU.
 *
 * The behaviour is docs/spec/x86-paging.md (32-bit paging with PSE, PSE-36, PAT, PGE,
 * WP, SMEP, SMAP; PAE with NX), the timing is docs/timing.md and the TLB's replacement rules
 * are docs/tlb.md. This header is the API's documentation.
 *
 * Conventions:
 * - One opaque handle, pmmu_t, made from a versioned pmmu_config.
 * - Physical memory is reached only through the callbacks in pmmu_mem_ops.
 * - Every function that can fail returns a pmmu_error: PMMU_E_OK (0), or a negative code
 *   for misuse of the API (a null pointer, an out-of-range argument, an invalid
 *   configuration, out-of-order cycles) or out of memory; pmmu_strerror() says it in a
 *   sentence. Its results are written through pointer arguments, which are left untouched
 *   on an error. Functions that cannot fail return their result (a name, a cycle, a bool
 *   for a yes/no question) or nothing.
 * - Page faults and bus errors are *results* (pmmu_response.outcome), not errors, and a
 *   refused PDPTE load is one too (pmmu_reg_result.gp_fault).
 * - Every operation carries the cycle in which it reaches the block, so that the model can
 *   predict response cycles exactly (docs/timing.md). Cycles given to successive calls must
 *   not go backwards, except that a flush may name a cycle inside the window of the walk
 *   that the previous pmmu_translate() made (timing rule T7).
 */
#ifndef PMMU_PMMU_H
#define PMMU_PMMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pmmu/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Marks the public API: the shared library is built with hidden visibility and exports only
 * the functions declared with it (docs/integration.md, "What is stable"). */
#if defined(__GNUC__) || defined(__clang__)
#define PMMU_API __attribute__((visibility("default")))
#else
#define PMMU_API
#endif

/* ---- Version ---------------------------------------------------------------------- */

/* The version of the library linked in (the macros of pmmu/version.h are the version of
 * the header compiled with): "MAJOR.MINOR.PATCH", and the same as 0xMMmmpp. */
PMMU_API const char *pmmu_version(void);
PMMU_API unsigned pmmu_version_number(void);

/* ---- Architectural constants ------------------------------------------------------ */

#define PMMU_MAXPHYADDR 36
#define PMMU_PA_MASK ((UINT64_C(1) << PMMU_MAXPHYADDR) - 1)

#define PMMU_CR0_WP (UINT32_C(1) << 16)
#define PMMU_CR0_PG (UINT32_C(1) << 31)
#define PMMU_CR4_PSE (UINT32_C(1) << 4)
#define PMMU_CR4_PAE (UINT32_C(1) << 5)
#define PMMU_CR4_PGE (UINT32_C(1) << 7)
#define PMMU_CR4_SMEP (UINT32_C(1) << 20)
#define PMMU_CR4_SMAP (UINT32_C(1) << 21)
#define PMMU_EFER_NXE (UINT64_C(1) << 11)

/* Paging-structure entry bits (32-bit and PAE alike, bit 63 only in PAE). */
#define PMMU_PTE_P (UINT64_C(1) << 0)
#define PMMU_PTE_RW (UINT64_C(1) << 1)
#define PMMU_PTE_US (UINT64_C(1) << 2)
#define PMMU_PTE_PWT (UINT64_C(1) << 3)
#define PMMU_PTE_PCD (UINT64_C(1) << 4)
#define PMMU_PTE_A (UINT64_C(1) << 5)
#define PMMU_PTE_D (UINT64_C(1) << 6)
#define PMMU_PTE_PS (UINT64_C(1) << 7)    /* in a PDE */
#define PMMU_PTE_PAT4K (UINT64_C(1) << 7) /* in a PTE */
#define PMMU_PTE_G (UINT64_C(1) << 8)
#define PMMU_PTE_PATLG (UINT64_C(1) << 12) /* in a large-page PDE */
#define PMMU_PTE_XD (UINT64_C(1) << 63)

/* #PF error-code bits (x86-paging.md section 6). */
#define PMMU_EC_P (1u << 0)
#define PMMU_EC_WR (1u << 1)
#define PMMU_EC_US (1u << 2)
#define PMMU_EC_RSVD (1u << 3)
#define PMMU_EC_ID (1u << 4)

#define PMMU_VECTOR_PF 14
#define PMMU_VECTOR_GP 13

/* ---- Errors (API misuse and out of memory) ---------------------------------------- */

typedef enum pmmu_error {
  PMMU_E_OK = 0,
  PMMU_E_INVALID = -1, /* a null pointer or an argument out of range (e.g. a fetch by an
                          implicit access) */
  PMMU_E_CONFIG = -2,  /* the configuration is not valid; pmmu_config_check() says why */
  PMMU_E_ORDER = -3,   /* a cycle went backwards */
  PMMU_E_NOMEM = -4,   /* an allocation failed */
} pmmu_error;

/* The enumerator's name, e.g. "PMMU_E_ORDER"; "PMMU_E_UNKNOWN" for any other value. */
PMMU_API const char *pmmu_error_name(pmmu_error e);
/* A sentence for people, e.g. "cycle out of order: ..."; never NULL, for any value. */
PMMU_API const char *pmmu_strerror(pmmu_error e);

/* ---- Physical memory -------------------------------------------------------------- */

typedef enum pmmu_mem_op { PMMU_MEM_READ, PMMU_MEM_CAS } pmmu_mem_op;

/*
 * One walker memory transaction, as the block's memory port carries it. The model fills
 * it in and hands it to pmmu_mem_ops.observe (if set) once it is complete, in the order the
 * walker issued them; the lockstep checker compares these with the RTL's.
 */
typedef struct pmmu_mem_txn {
  pmmu_mem_op op;
  uint64_t pa;       /* aligned to size, < 2^36 */
  unsigned size;     /* 4 or 8 bytes */
  uint64_t expected; /* CAS only: the value the walk read */
  uint64_t desired;  /* CAS only: that value with A (and D) set */
  uint64_t data;     /* READ: the value read; CAS: the value memory held before */
  bool bus_error;
  uint64_t present_cycle;  /* mem_req_valid first high */
  uint64_t accept_cycle;   /* mem_req_ready high too */
  uint64_t response_cycle; /* mem_resp_valid high */
} pmmu_mem_txn;

typedef struct pmmu_mem_ops {
  /* Read `size` (4 or 8) bytes, little-endian, at `pa`. Return false for a bus error. */
  bool (*read)(void *ctx, uint64_t pa, unsigned size, uint64_t *value);
  /* Atomically: *old = memory; if *old == expected, memory = desired. False = bus error. */
  bool (*cas)(void *ctx, uint64_t pa, unsigned size, uint64_t expected, uint64_t desired,
              uint64_t *old);
  /*
   * Timing of one memory request presented in `present_cycle`: set the cycle the memory
   * accepts it (>= present_cycle) and the cycle it answers (> accept cycle). Called once
   * per request, in issue order, before read/cas. NULL: accepted at once, answered
   * pmmu_config.mem_latency cycles later.
   */
  void (*timing)(void *ctx, pmmu_mem_op op, uint64_t pa, unsigned size, uint64_t present_cycle,
                 uint64_t *accept_cycle, uint64_t *response_cycle);
  /* Optional: sees every completed transaction, in order. */
  void (*observe)(void *ctx, const pmmu_mem_txn *txn);
  void *ctx;
} pmmu_mem_ops;

/* ---- Configuration ---------------------------------------------------------------- */

typedef enum pmmu_policy {
  PMMU_POLICY_PLRU, /* tree pseudo-LRU (default) */
  PMMU_POLICY_LRU,
  PMMU_POLICY_FIFO,
  PMMU_POLICY_RANDOM, /* 16-bit LFSR, docs/tlb.md */
} pmmu_policy;

PMMU_API const char *pmmu_policy_name(pmmu_policy p);
/* Parses "plru", "lru", "fifo", "random". Returns false for anything else. */
PMMU_API bool pmmu_policy_parse(const char *name, pmmu_policy *out);

#define PMMU_CONFIG_VERSION 1u

typedef struct pmmu_config {
  uint32_t version;   /* PMMU_CONFIG_VERSION: set by pmmu_config_init() */
  unsigned tlb_sets;  /* 4 KiB array: sets (power of two, 1..1024) */
  unsigned tlb_ways;  /* 4 KiB array: ways (power of two, 1..16) */
  unsigned tlb_large; /* large-page array entries (power of two, 1..64) */
  pmmu_policy policy;
  uint16_t lfsr_seed;   /* random policy only; nonzero */
  unsigned mem_latency; /* used when mem.timing is NULL; >= 1 */
  pmmu_mem_ops mem;
} pmmu_config;

/* Fills in the defaults: 16 sets x 4 ways, 8 large entries, plru, seed 0xACE1, latency 3,
 * no memory callbacks (the caller must set mem.read and mem.cas). */
PMMU_API void pmmu_config_init(pmmu_config *cfg);

/* NULL if cfg is usable, else a sentence saying what is wrong with it. */
PMMU_API const char *pmmu_config_check(const pmmu_config *cfg);

/* ---- Life cycle ------------------------------------------------------------------- */

typedef struct pmmu pmmu_t;

/*
 * Makes a block from a copy of *cfg and stores it in *out. Returns PMMU_E_OK, or
 * PMMU_E_INVALID (cfg or out is NULL), PMMU_E_CONFIG (pmmu_config_check() returns the reason)
 * or PMMU_E_NOMEM; then *out is set to NULL (if out is not NULL itself).
 * The new block is in its reset state: CR0 = 0x80000000 (paging on, WP = 0),
 * CR3 = CR4 = EFER = 0, TLB empty, cycle 0. Free it with pmmu_destroy().
 */
PMMU_API pmmu_error pmmu_create(const pmmu_config *cfg, pmmu_t **out);
/* Frees the block; NULL is allowed and does nothing. */
PMMU_API void pmmu_destroy(pmmu_t *m);
/* Back to the reset state (statistics too). */
PMMU_API void pmmu_reset(pmmu_t *m);
PMMU_API const pmmu_config *pmmu_get_config(const pmmu_t *m);

/* ---- Control registers ------------------------------------------------------------ */

typedef struct pmmu_control {
  uint32_t cr0, cr3, cr4;
  uint64_t efer;
  uint64_t pdpte[4]; /* the PAE PDPTE registers as last loaded */
} pmmu_control;

PMMU_API void pmmu_get_control(const pmmu_t *m, pmmu_control *out);

/*
 * The result of a register write. A write faults only when it would load PAE PDPTEs and a
 * present PDPTE has a reserved bit (#GP(0)); then nothing changes at all.
 */
typedef struct pmmu_reg_result {
  bool gp_fault;
  unsigned flushed; /* what the write invalidated: PMMU_FLUSHED_* bits */
  bool pdptes_loaded;
  uint64_t done_cycle; /* PDPTE loads read memory; otherwise the cycle given */
} pmmu_reg_result;

#define PMMU_FLUSHED_NONGLOBAL 1u
#define PMMU_FLUSHED_ALL 2u

/*
 * MOV to CR0 / CR3 / CR4 and WRMSR to EFER at `cycle`, with every architectural side effect
 * (x86-paging.md sections 4 and 8): TLB invalidation and, in PAE, loading the PDPTEs. Bits
 * the PMMU does not use are stored and ignored. `out` may be NULL.
 */
PMMU_API pmmu_error pmmu_write_cr0(pmmu_t *m, uint32_t value, uint64_t cycle, pmmu_reg_result *out);
PMMU_API pmmu_error pmmu_write_cr3(pmmu_t *m, uint32_t value, uint64_t cycle, pmmu_reg_result *out);
PMMU_API pmmu_error pmmu_write_cr4(pmmu_t *m, uint32_t value, uint64_t cycle, pmmu_reg_result *out);
PMMU_API pmmu_error pmmu_write_efer(pmmu_t *m, uint64_t value, uint64_t cycle,
                                    pmmu_reg_result *out);

/* INVLPG LA at `cycle`: removes every entry that maps LA, global ones and large pages too. */
PMMU_API pmmu_error pmmu_invlpg(pmmu_t *m, uint32_t la, uint64_t cycle);

/* The raw flush commands of the block's command port (hardware-interface.md). */
typedef enum pmmu_flush_kind {
  PMMU_FLUSH_NONGLOBAL, /* what a CR3 write does */
  PMMU_FLUSH_ALL,
  PMMU_FLUSH_PAGE, /* INVLPG */
} pmmu_flush_kind;

PMMU_API pmmu_error pmmu_flush(pmmu_t *m, pmmu_flush_kind kind, uint32_t la, uint64_t cycle);

/* ---- Translation ------------------------------------------------------------------ */

typedef enum pmmu_access { PMMU_READ, PMMU_WRITE, PMMU_FETCH } pmmu_access;

typedef enum pmmu_priv {
  PMMU_SUPERVISOR, /* explicit, CPL < 3 */
  PMMU_USER,       /* CPL = 3 */
  PMMU_IMPLICIT,   /* implicit supervisor: GDT, LDT, IDT, TSS; never a fetch */
} pmmu_priv;

PMMU_API const char *pmmu_access_name(pmmu_access a); /* "read", "write", "fetch" */
PMMU_API const char *pmmu_priv_name(pmmu_priv p);     /* "sup", "user", "implicit" */

typedef struct pmmu_request {
  uint32_t la;
  pmmu_access access;
  pmmu_priv priv;
  bool ac;        /* EFLAGS.AC */
  uint64_t cycle; /* the cycle req_valid is first high; accepted when the block is ready */
} pmmu_request;

typedef enum pmmu_outcome {
  PMMU_OK,         /* translated: pa is valid */
  PMMU_PAGE_FAULT, /* #PF: error_code and cr2 are valid */
  PMMU_BUS_ERROR,  /* a walk memory access answered with a bus error: not a #PF */
} pmmu_outcome;

typedef enum pmmu_tlb_use { PMMU_TLB_OFF, PMMU_TLB_HIT, PMMU_TLB_MISS } pmmu_tlb_use;

PMMU_API const char *pmmu_tlb_use_name(pmmu_tlb_use t); /* "off", "hit", "miss" */

/* Why a #PF happened, for people; the error code is the architectural answer. */
typedef enum pmmu_fault_kind {
  PMMU_FAULT_NONE,
  PMMU_FAULT_NOT_PRESENT,
  PMMU_FAULT_RESERVED,
  PMMU_FAULT_PROTECTION,
} pmmu_fault_kind;

/* Levels of the walk, top-down. */
typedef enum pmmu_level { PMMU_LEVEL_PDPTE, PMMU_LEVEL_PDE, PMMU_LEVEL_PTE } pmmu_level;

PMMU_API const char *pmmu_level_name(pmmu_level l); /* "PDPTE", "PDE", "PTE" */

typedef struct pmmu_response {
  pmmu_outcome outcome;
  uint64_t pa;         /* PMMU_OK */
  unsigned page_shift; /* PMMU_OK: 12, 21 or 22 */
  unsigned attr;       /* PMMU_OK: PWT (bit 0), PCD (bit 1), PAT (bit 2) of the leaf */
  uint32_t error_code; /* PMMU_PAGE_FAULT */
  uint32_t cr2;        /* PMMU_PAGE_FAULT: the faulting linear address */
  pmmu_fault_kind fault_kind;
  pmmu_level fault_level; /* NOT_PRESENT / RESERVED: the entry that stopped the walk */
  uint64_t bus_error_pa;  /* PMMU_BUS_ERROR */
  pmmu_tlb_use tlb;
  bool dropped_entry;      /* a TLB entry mapped the LA but was dropped (timing.md T3) */
  uint64_t accept_cycle;   /* A */
  uint64_t response_cycle; /* R */
  uint32_t cycles;         /* R - A */
  unsigned mem_accesses;   /* walker memory transactions, CAS included */
  unsigned restarts;       /* walks restarted by a failed compare-and-swap */
} pmmu_response;

/*
 * Translates one request (timing: docs/timing.md). Returns PMMU_E_OK and fills `out`, or
 * PMMU_E_INVALID (a null pointer, a fetch by an implicit access, unknown enum values) or
 * PMMU_E_ORDER (a cycle earlier than the last one used), and then changes nothing. A #PF
 * also latches CR2 and the error code and raises the interrupt (pmmu_get_interrupt).
 * On PMMU_E_OK every field of *out is written, on a TLB hit too: fields that do not apply to
 * the outcome are 0 (false, PMMU_FAULT_NONE, PMMU_LEVEL_PDPTE), so a caller may reuse one
 * response for every call and compare any field. (Padding bytes are not fields: compare
 * responses field by field, not with memcmp.)
 */
PMMU_API pmmu_error pmmu_translate(pmmu_t *m, const pmmu_request *req, pmmu_response *out);

/* The cycle from which the block accepts its next request (timing.md T1). */
PMMU_API uint64_t pmmu_ready_cycle(const pmmu_t *m);

/* ---- Debug translation (no side effects) ------------------------------------------ */

typedef struct pmmu_walk_step {
  pmmu_level level;
  uint64_t entry_pa;
  unsigned size; /* 4 or 8 */
  uint64_t value;
  bool bus_error;
} pmmu_walk_step;

typedef struct pmmu_walk_trace {
  unsigned n_steps;
  pmmu_walk_step steps[3];
  bool tlb_has_page; /* a TLB entry maps the LA right now (nothing was touched) */
} pmmu_walk_trace;

/*
 * Translates as pmmu_translate() would with an empty TLB, but changes nothing: no TLB
 * lookup or fill, no A/D write, no CR2, no statistics, no cycles; only mem.read is called.
 * For debuggers and teaching. `trace` may be NULL. The response's cycle fields are 0.
 */
PMMU_API pmmu_error pmmu_debug_translate(const pmmu_t *m, const pmmu_request *req,
                                         pmmu_response *out, pmmu_walk_trace *trace);

/* ---- The page-fault interrupt ----------------------------------------------------- */

typedef struct pmmu_interrupt_state {
  bool pending;        /* the vector-14 line */
  uint32_t cr2;        /* the latest #PF's linear address */
  uint32_t error_code; /* the latest #PF's error code */
} pmmu_interrupt_state;

PMMU_API void pmmu_get_interrupt(const pmmu_t *m, pmmu_interrupt_state *out);
/* The handler's acknowledgement: lowers the line. CR2 and the error code stay readable. */
PMMU_API void pmmu_ack_interrupt(pmmu_t *m);

/*
 * The same cycle by cycle (timing.md T10), for a user that follows the block's outputs in
 * every cycle (the lockstep checker, a scoreboard). A #PF answered in cycle R raises the line
 * and latches CR2 and the error code from R + 1. pmmu_ack_interrupt_at() is an ack in `cycle`:
 * it lowers the line from cycle + 1, unless a #PF is answered in that same cycle (the new
 * fault wins). Acks must come in cycle order (else PMMU_E_ORDER) but may name a cycle before
 * the response of a request already translated: the model computes a request at once, the
 * user reaches its cycles later. pmmu_interrupt_at() is the line, CR2 and the error code as
 * they stand in `cycle` (all 0 before the first #PF since reset); it is exact for any cycle
 * after the response of the fourth-latest #PF and the sixteenth-latest ack. An ack after the
 * latest #PF's response cycle lowers pmmu_get_interrupt()'s line too; pmmu_ack_interrupt()
 * does not enter the timeline. PMMU_E_INVALID for a null pointer.
 */
PMMU_API pmmu_error pmmu_ack_interrupt_at(pmmu_t *m, uint64_t cycle);
PMMU_API pmmu_error pmmu_interrupt_at(const pmmu_t *m, uint64_t cycle, pmmu_interrupt_state *out);

/* ---- TLB inspection --------------------------------------------------------------- */

typedef struct pmmu_tlb_entry {
  bool valid;
  uint32_t vpn;        /* LA >> page_shift */
  unsigned page_shift; /* 12, 21 or 22 */
  uint64_t frame_pa;   /* physical base of the page */
  bool u, w, x, d, g;
  unsigned attr; /* PWT (bit 0), PCD (bit 1), PAT (bit 2) */
} pmmu_tlb_entry;

/* Reads one entry: large = false for the 4 KiB array (set, way), true for the large array
 * (set ignored, way = entry index). Returns PMMU_E_INVALID out of range. */
PMMU_API pmmu_error pmmu_tlb_read(const pmmu_t *m, bool large, unsigned set, unsigned way,
                                  pmmu_tlb_entry *out);

/* Where a TLB entry sits, and what it holds. */
typedef struct pmmu_tlb_slot {
  bool large;   /* false: the 4 KiB array; true: the large-page array */
  unsigned set; /* the 4 KiB array's set (LA[12 + log2(sets) - 1 : 12]); 0 in the large array */
  unsigned way; /* the way in the set, or the large array's entry index */
  pmmu_tlb_entry entry;
} pmmu_tlb_slot;

/*
 * The entry a lookup of `la` would find now, and where it sits, by docs/tlb.md ("Which entry
 * a lookup uses"): the matching entry of the 4 KiB array if there is one, otherwise the
 * lowest-numbered matching entry of the large array. Returns true and fills *out, or false
 * when no valid entry maps `la` (the next access to it walks). Read-only, like
 * pmmu_tlb_read(): no replacement state, statistics or cycle changes. Whether an access *uses*
 * the entry depends on the access as well: its cached rights, and D for a write, are checked
 * at lookup, and an entry that fails them is dropped and the page walked again (timing.md T3);
 * pmmu_rights_denial() states that check. The TLB is not consulted at all when paging is off.
 */
PMMU_API bool pmmu_tlb_lookup(const pmmu_t *m, uint32_t la, pmmu_tlb_slot *out);

/* ---- Statistics ------------------------------------------------------------------- */

typedef struct pmmu_stats {
  uint64_t requests;
  uint64_t hits;
  uint64_t misses;  /* lookups that walked (dropped hits included) */
  uint64_t off;     /* requests with paging off */
  uint64_t dropped; /* entries dropped at lookup (rights denied or write to clean) */
  uint64_t walks;   /* walks started, restarts counted apart */
  uint64_t fills;
  uint64_t fills_cancelled; /* timing.md T7 */
  uint64_t faults_not_present;
  uint64_t faults_reserved;
  uint64_t faults_protection;
  uint64_t bus_errors;
  uint64_t mem_reads;
  uint64_t ad_writes;    /* compare-and-swaps issued */
  uint64_t cas_restarts; /* compare-and-swaps that failed and restarted the walk */
  uint64_t flushes_nonglobal, flushes_all, flushes_page;
  uint64_t entries_flushed;
  uint64_t gp_faults;   /* PDPTE loads refused */
  uint64_t busy_cycles; /* sum of (R - A) */
  uint64_t last_cycle;  /* the last response cycle */
} pmmu_stats;

PMMU_API void pmmu_get_stats(const pmmu_t *m, pmmu_stats *out);

/* ---- Pure helpers ----------------------------------------------------------------- */

/*
 * The access-rights rule of x86-paging.md section 5 that denies `req` on a page whose combined
 * rights are u, w, x under the control state `ctl`, as a sentence; NULL if it is allowed.
 * This is the model's permission check itself, exposed for explanations.
 */
PMMU_API const char *pmmu_rights_denial(const pmmu_control *ctl, bool u, bool w, bool x,
                                        const pmmu_request *req);

/* Spells the error code out, e.g. "protection write user" or "not-present read supervisor
 * reserved-bit fetch"; returns buf. */
PMMU_API const char *pmmu_ec_describe(uint32_t ec, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
