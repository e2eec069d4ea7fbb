/*
 * `pmmu explain`: a translation shown step by step, for teaching and debugging, as text
 * (explain.c) or as one JSON object (explain_json.c), with what the TLB holds for the page
 * (explain_tlb.c). Everything is gathered once into explain_facts, then printed.
 */
#ifndef PMMU_EXPLAIN_H
#define PMMU_EXPLAIN_H

#include <stdio.h>

#include "pmmu/pmmu.h"

/* Fields in which a cached entry and memory disagree (explain_tlb_view.differs). */
enum {
  EXPLAIN_DIFF_SIZE = 1u << 0,
  EXPLAIN_DIFF_FRAME = 1u << 1,
  EXPLAIN_DIFF_U = 1u << 2,
  EXPLAIN_DIFF_W = 1u << 3,
  EXPLAIN_DIFF_X = 1u << 4,
  EXPLAIN_DIFF_D = 1u << 5,
  EXPLAIN_DIFF_G = 1u << 6,
  EXPLAIN_DIFF_MAPPED = 1u << 7, /* memory maps the page no more */
};

/* The TLB's side of the story: the entry the next access would find, against memory. */
typedef struct explain_tlb_view {
  bool cached;           /* an entry maps the LA (pmmu_tlb_lookup) */
  pmmu_tlb_slot slot;    /* cached: where it sits and what it holds */
  bool memory_maps;      /* a walk of memory now finds a translation for the page */
  pmmu_tlb_entry memory; /* memory_maps: what a fill from that walk would hold */
  unsigned differs;      /* cached: EXPLAIN_DIFF_* bits; nonzero = the entry is stale */
  bool used;             /* cached: the next access like this one hits the entry */
  const char *why;       /* cached and not used: why the lookup drops it */
  uint64_t hit_pa;       /* used: the physical address the hit gives */
} explain_tlb_view;

/* One explained translation: the request, the state and the debug walk, and the TLB. */
typedef struct explain_facts {
  pmmu_request req;
  pmmu_control ctl;
  pmmu_response resp; /* the walk of memory as it is now (pmmu_debug_translate) */
  pmmu_walk_trace trace;
  bool paging;        /* CR0.PG: otherwise nothing below applies */
  bool pae;           /* CR4.PAE */
  unsigned shift;     /* the page size the walk found (12, 21, 22), 0 if it stopped early */
  bool reached_leaf;  /* rights apply: the walk succeeded or failed on a protection check */
  bool u, w, x;       /* reached_leaf: the combined rights */
  const char *denial; /* reached_leaf: the rule that denies the access, NULL if allowed */
  explain_tlb_view tlb;
} explain_facts;

/* Gathers the facts about `req` on the model's current state (nothing changes). Returns a
 * pmmu_error. */
int explain_collect(const pmmu_t *m, const pmmu_request *req, explain_facts *f);

/* "user", "supervisor" or "implicit supervisor". */
const char *explain_priv_words(pmmu_priv p);

/* The sentence of the rule that decides the verdict (the JSON's "rule"): e.g. "write by user
 * -> denied: a user write to a read-only page (W=0)" or "the PTE is not present: the walk
 * stops here". Returns buf. */
const char *explain_rule(const explain_facts *f, char *buf, size_t len);

/* The TLB section of the text (explain_tlb.c). */
void explain_tlb_collect(const pmmu_t *m, explain_facts *f);
void explain_print_tlb(FILE *out, const explain_facts *f);

/* Prints the walk of `req` on the model's current state (nothing changes): the figure as
 * text, or with `json` one JSON object on one line (docs/spec/scenario-format.md, "Output of
 * pmmu explain --json"). `source` names the scenario in the text's heading. Returns a
 * pmmu_error. */
int explain_translation(pmmu_t *m, const pmmu_request *req, const char *source, bool json,
                        FILE *out);

/* The JSON object (explain_json.c). */
void explain_print_json(FILE *out, const explain_facts *f);

#endif
