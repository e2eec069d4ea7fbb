/* The quiz's life cycle, options, accessors and the generator's arithmetic (quiz.h). */
#include <stdlib.h>
#include <string.h>

#include "quiz_internal.h"

uint64_t quiz_rng_next(uint64_t *state) {
  /* splitmix64 (Steele, Lea, Flood 2014): a Weyl sequence through a 64-bit finaliser. */
  uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

/* The modulo bias is below n / 2^64: nothing a quiz can show. */
uint64_t quiz_rng_below(uint64_t *state, uint64_t n) { return quiz_rng_next(state) % n; }

static uint64_t fnv1a_bytes(uint64_t h, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= UINT64_C(0x100000001B3); /* the FNV 64-bit prime */
  }
  return h;
}

uint64_t quiz_student_seed(const char *assignment, const char *student) {
  uint64_t h = UINT64_C(0xCBF29CE484222325); /* the FNV-1a 64 offset basis */
  h = fnv1a_bytes(h, assignment, strlen(assignment));
  h = fnv1a_bytes(h, "", 1); /* the separator: "ab"+"c" and "a"+"bc" differ */
  return fnv1a_bytes(h, student, strlen(student));
}

const char *quiz_mode_name(quiz_mode m) {
  switch (m) {
  case QUIZ_MODE_32: return "32-bit";
  case QUIZ_MODE_PSE: return "pse";
  case QUIZ_MODE_PAE: return "pae";
  }
  return "?";
}

void quiz_options_init(quiz_options *o) {
  memset(o, 0, sizeof *o);
  o->seed = 1;
  o->mode = QUIZ_MODE_32;
  o->items = QUIZ_DEFAULT_ITEMS;
  o->tlb_sets = QUIZ_DEFAULT_TLB_SETS;
}

/* No control characters: the names are printed in headings and comments of every format. */
static bool printable(const char *s) {
  for (; s && *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7F) return false;
  return true;
}

const char *quiz_options_check(const quiz_options *o) {
  if (o->mode != QUIZ_MODE_32 && o->mode != QUIZ_MODE_PSE && o->mode != QUIZ_MODE_PAE)
    return "unknown paging mode";
  if (o->items < 1 || o->items > QUIZ_MAX_ITEMS) return "--items must be 1..64";
  if (o->nx && o->mode != QUIZ_MODE_PAE) return "--nx needs --pae (NX exists only in PAE paging)";
  if (o->tlb_sets < 1 || o->tlb_sets > 1024 || (o->tlb_sets & (o->tlb_sets - 1)))
    return "--tlb-sets must be a power of two 1..1024";
  if (!o->student != !o->assignment) return "--student and --assignment go together";
  if (!printable(o->student) || !printable(o->assignment))
    return "--student and --assignment must be printable text (no control characters)";
  return NULL;
}

quiz_t *quiz_generate(const quiz_options *o) {
  if (quiz_options_check(o)) return NULL;
  quiz_t *q = calloc(1, sizeof *q);
  if (!q) return NULL;
  q->opt = *o;
  if (!quiz_build(q) || !quiz_solve(q)) {
    free(q);
    return NULL;
  }
  return q;
}

void quiz_free(quiz_t *q) { free(q); }

const quiz_options *quiz_get_options(const quiz_t *q) { return &q->opt; }
void quiz_get_control(const quiz_t *q, pmmu_control *out) { *out = q->ctl; }
unsigned quiz_item_count(const quiz_t *q) { return q->n_items; }

const quiz_item *quiz_get_item(const quiz_t *q, unsigned n) {
  return n >= 1 && n <= q->n_items ? &q->item[n - 1] : NULL;
}

const quiz_table *quiz_table_at(const quiz_t *q, uint64_t pa) {
  for (unsigned i = 0; i < q->n_tables; i++) {
    const quiz_table *t = &q->table[i];
    if (pa >= t->pa && pa < t->pa + (uint64_t)t->n_entries * t->entry_size) return t;
  }
  return NULL;
}

uint64_t quiz_mem_read(const quiz_t *q, uint64_t pa, unsigned size) {
  const quiz_table *t = quiz_table_at(q, pa);
  if (!t) return 0;
  uint64_t v = t->entry[(pa - t->pa) / t->entry_size];
  if (size == 4 && t->entry_size == 8) v = (pa & 4) ? v >> 32 : v & 0xFFFFFFFFu;
  return v;
}

bool quiz_is_pae(const quiz_t *q) { return q->opt.mode == QUIZ_MODE_PAE; }
int quiz_pa_digits(const quiz_t *q) { return quiz_is_pae(q) ? 9 : 8; }
int quiz_entry_digits(const quiz_t *q) { return quiz_is_pae(q) ? 16 : 8; }

bool quiz_format_parse(const char *word, quiz_format *out) {
  static const char *const names[] = {"text", "md", "csv", "pmmu", "gift"};
  for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(word, names[i]) == 0) {
      *out = (quiz_format)i;
      return true;
    }
  return false;
}
