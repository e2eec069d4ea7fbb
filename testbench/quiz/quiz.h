/*
 * The quiz library behind `pmmu quiz` (docs/quiz.md): a seeded address-translation exercise,
 * its answers, a stepwise grader and exporters.
 *
 * - The generator draws everything from splitmix64 (quiz_rng_next), never from the C
 *   library's rand(), so that one seed gives the same exercise, byte for byte, everywhere.
 * - The answers are libpmmu's own: pmmu_debug_translate() with its walk trace for each item,
 *   and a real pmmu instance translating the items in order for the TLB hits.
 * - Nothing here prints to stdout or exits: every output goes to the FILE* the caller gives,
 *   and problems come back as return values and messages (the same code runs in a browser).
 */
#ifndef PMMU_QUIZ_H
#define PMMU_QUIZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pmmu/pmmu.h"

#ifdef __cplusplus
extern "C" {
#endif

#define QUIZ_MAX_ITEMS 64u
#define QUIZ_DEFAULT_ITEMS 4u
#define QUIZ_DEFAULT_TLB_SETS 16u
#define QUIZ_TLB_WAYS 4u  /* the default geometry of libpmmu */
#define QUIZ_TLB_LARGE 8u /* large-page entries, libpmmu's default */

/* ---- The generator's arithmetic (documented in docs/quiz.md) ------------------------ */

/* splitmix64: state += 0x9E3779B97F4A7C15, then two xor-shift-multiply rounds. */
uint64_t quiz_rng_next(uint64_t *state);
/* A number 0 .. n-1 (n >= 1): quiz_rng_next() % n. */
uint64_t quiz_rng_below(uint64_t *state, uint64_t n);
/* FNV-1a 64 over the bytes of assignment, one zero byte, and the bytes of student. */
uint64_t quiz_student_seed(const char *assignment, const char *student);

/* ---- Options ---------------------------------------------------------------------- */

typedef enum quiz_mode {
  QUIZ_MODE_32,  /* 32-bit paging, 4 KiB pages only (CR4.PSE=0) */
  QUIZ_MODE_PSE, /* 32-bit paging with 4 MiB pages (CR4.PSE=1) */
  QUIZ_MODE_PAE, /* PAE paging: PDPT, 8-byte entries, 2 MiB pages */
} quiz_mode;

const char *quiz_mode_name(quiz_mode m); /* "32-bit", "pse", "pae" */

typedef struct quiz_options {
  uint64_t seed;
  quiz_mode mode;
  bool nx;           /* PAE only: EFER.NXE=1 and some no-execute (XD) pages */
  unsigned items;    /* 1 .. QUIZ_MAX_ITEMS */
  unsigned tlb_sets; /* power of two 1 .. 1024: the TLB of the answer grid */
  /* When the seed was derived from a student and an assignment (both or neither): the
   * heading says so. Not copied: they must outlive the quiz. */
  const char *student, *assignment;
} quiz_options;

/* Seed 1, 32-bit mode, 4 items, 16 sets, no student. */
void quiz_options_init(quiz_options *o);
/* NULL when the options are usable, else a sentence that names the option at fault. */
const char *quiz_options_check(const quiz_options *o);

/* ---- The exercise ----------------------------------------------------------------- */

typedef struct quiz quiz_t;

/* NULL when the options are not usable (see quiz_options_check) or out of memory. */
quiz_t *quiz_generate(const quiz_options *o);
void quiz_free(quiz_t *q);

const quiz_options *quiz_get_options(const quiz_t *q);
/* CR0, CR3, CR4 and EFER as the exercise sets them (the PDPTE registers are not filled in). */
void quiz_get_control(const quiz_t *q, pmmu_control *out);
/* The exercise's physical memory: `size` (4 or 8) bytes at `pa`; zero where nothing is. */
uint64_t quiz_mem_read(const quiz_t *q, uint64_t pa, unsigned size);

typedef struct quiz_item {
  pmmu_request req;     /* la, access, priv (ac = false, cycle 0) */
  pmmu_response answer; /* pmmu_debug_translate() on the exercise's memory */
  pmmu_walk_trace walk; /* the entries that walk read, top-down */
  bool tlb_hit;         /* in the grid's TLB, cold at item 1 and filled by the items in order */
  /* When the walk reached a present leaf (a success or a protection fault): the page's
   * physical base and size (12, 21 or 22), from libpmmu's translation of the same address
   * by a supervisor read, which the rights always allow here (no SMEP, no SMAP). */
  uint64_t frame;
  unsigned page_shift;
} quiz_item;

unsigned quiz_item_count(const quiz_t *q);
/* Item n, counted from 1 as the students see them; NULL out of range. */
const quiz_item *quiz_get_item(const quiz_t *q, unsigned n);

/* ---- Printing --------------------------------------------------------------------- */

typedef enum quiz_view {
  QUIZ_VIEW_QUESTION, /* the exercise as the student sees it */
  QUIZ_VIEW_SOLVE,    /* the same, each item followed by its answer step by step */
  QUIZ_VIEW_REVEAL,   /* the same, each item followed by its final answer only */
} quiz_view;

/* `decoded`: the tables one entry a line with their flags, instead of a hex dump. */
void quiz_print(const quiz_t *q, quiz_view view, bool decoded, FILE *out);

typedef enum quiz_format {
  QUIZ_FORMAT_TEXT, /* the answer grid, aligned columns */
  QUIZ_FORMAT_MD,   /* the answer grid as a Markdown table */
  QUIZ_FORMAT_CSV,  /* the answer grid, RFC 4180 with a header row */
  QUIZ_FORMAT_PMMU, /* a scenario file whose expect lines are the key */
  QUIZ_FORMAT_GIFT, /* Moodle GIFT, one short-answer question per item */
} quiz_format;

#define QUIZ_FORMATS "text, md, csv, pmmu, gift"
/* Parses one of QUIZ_FORMATS; false for anything else. */
bool quiz_format_parse(const char *word, quiz_format *out);

/* `decoded` only changes the tables in the GIFT questions. */
void quiz_export(const quiz_t *q, quiz_format format, bool decoded, FILE *out);
/* The whole exercise and its key as one JSON document (docs/quiz.md has the schema). */
void quiz_print_json(const quiz_t *q, FILE *out);

/* Writes `s` as one RFC 4180 field (quoted when it holds a comma, a quote or a line break). */
void quiz_csv_field(const char *s, FILE *out);
/* Writes `s` with the GIFT special characters ~ = # { } : and the backslash escaped. */
void quiz_gift_escape(const char *s, FILE *out);

/* ---- Grading ---------------------------------------------------------------------- */

#define QUIZ_CHECK_KEYS \
  "pdpt, pdpte_addr, pdpte, dir, pde_addr, pde, table, pte_addr, pte, frame, fault, pa"

typedef enum quiz_check_status {
  QUIZ_CHECK_RIGHT = 0,     /* every step given is right */
  QUIZ_CHECK_WRONG = 1,     /* a step is wrong (the output says which and why) */
  QUIZ_CHECK_MALFORMED = 2, /* the answer could not be read; `why` says which part */
} quiz_check_status;

/*
 * Grades the answer for item n ("pde=0x00345067,pte_addr=0x345128,pa=0x567123", any subset
 * of the keys in any order) step by step in walk order, one line (or, with `json`, one JSON
 * document) to `out`, stopping at the first wrong step. A malformed answer puts a sentence
 * naming the offending part in why[len] and writes nothing to `out`, except with `json`:
 * {"item":N,"error":"..."}, for a caller that reads only `out` (the web page).
 */
quiz_check_status quiz_check(const quiz_t *q, unsigned n, const char *answer, bool json, FILE *out,
                             char *why, size_t len);

#ifdef __cplusplus
}
#endif

#endif
