/* What the quiz library's files share (quiz.h is the API). */
#ifndef PMMU_QUIZ_INTERNAL_H
#define PMMU_QUIZ_INTERNAL_H

#include "quiz.h"

/* One PDPT, up to three directories in PAE, and the page tables. */
#define QUIZ_MAX_TABLES 12u
#define QUIZ_MAX_ENTRIES 1024u

typedef enum quiz_table_kind { QUIZ_PDPT, QUIZ_PD, QUIZ_PT } quiz_table_kind;

typedef struct quiz_table {
  quiz_table_kind kind;
  uint64_t pa;         /* page-aligned */
  unsigned n_entries;  /* 4 (PDPT), 512 (PAE) or 1024 */
  unsigned entry_size; /* 4 or 8 */
  uint64_t entry[QUIZ_MAX_ENTRIES];
  bool touched[QUIZ_MAX_ENTRIES]; /* read by some item's walk */
} quiz_table;

struct quiz {
  quiz_options opt;
  pmmu_control ctl;
  unsigned n_tables;
  quiz_table table[QUIZ_MAX_TABLES];
  unsigned n_items;
  quiz_item item[QUIZ_MAX_ITEMS];
};

/* quiz_gen.c: the world and the items (no answers yet). */
bool quiz_build(quiz_t *q); /* false: out of memory */
/* quiz_solve.c: the answers from libpmmu, the touched entries, the TLB hits. False: the
 * model refused (cannot happen for a world quiz_build made; reported as out of memory). */
bool quiz_solve(quiz_t *q);

/* The table that holds `pa`, or NULL. */
const quiz_table *quiz_table_at(const quiz_t *q, uint64_t pa);
bool quiz_is_pae(const quiz_t *q);
/* Hex digits of an address and of an entry in this mode (8 or 9; 8 or 16). */
int quiz_pa_digits(const quiz_t *q);
int quiz_entry_digits(const quiz_t *q);
const char *quiz_table_name(quiz_table_kind k); /* "page directory", ... */
const char *quiz_table_tag(quiz_table_kind k);  /* "PD", "PT", "PDPT" */
/* "P RW US A D PS G XD" for the bits set; "not present" when P=0. */
const char *quiz_flags(uint64_t v, quiz_table_kind kind, bool large_ok, char *buf, size_t len);

/* The answer's facts, derived once from the item's response and walk trace. */
typedef struct quiz_facts {
  bool pae;
  const pmmu_walk_step *pdpte, *pde, *pte; /* NULL: the walk did not read it */
  unsigned pdpt_index, dir_index, table_index;
  bool large;          /* the PDE maps the page */
  bool complete;       /* the walk reached a present leaf */
  uint64_t frame;      /* complete: the page's physical base */
  unsigned page_shift; /* complete: 12, 21 or 22 */
  bool fault;          /* a #PF */
  uint32_t error_code; /* fault */
  const char *why;     /* fault: the rule, as a phrase */
  const char *stop;    /* the level whose P=0 stopped the walk ("PDE"), or NULL */
} quiz_facts;

void quiz_item_facts(const quiz_t *q, const quiz_item *it, quiz_facts *f);
/* "P=0 W/R=1 U/S=1 RSVD=0 I/D=0" */
const char *quiz_ec_bits(uint32_t ec, char *buf, size_t len);
/* "read user 0x0804a123" */
void quiz_print_access(const quiz_t *q, unsigned n, FILE *out);
/* "1. read user 0x0804a123" */
void quiz_print_item_line(const quiz_t *q, unsigned n, FILE *out);
/* The heading lines: seed, options, how to regenerate; each line starts with `prefix`. */
void quiz_print_heading(const quiz_t *q, const char *prefix, FILE *out);
/* The command line that regenerates this exercise ("pmmu quiz --seed 0x2a --pse"). */
void quiz_print_command(const quiz_t *q, FILE *out);
/* Control registers and tables as the student sees them (no blank lines when `compact`). */
void quiz_print_world(const quiz_t *q, bool decoded, bool compact, FILE *out);

/* s as a JSON string, quotes included (quiz_json.c). */
void quiz_json_string(const char *s, FILE *out);
/* The tables in address order, as memory is (quiz_print.c). */
void quiz_sorted_tables(const quiz_t *q, const quiz_table **out);

#endif
