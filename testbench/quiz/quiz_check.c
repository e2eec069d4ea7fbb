/*
 * The stepwise grader of `pmmu quiz --check` (docs/quiz.md "Checking an answer"): the given
 * steps are graded in walk order; the first wrong one says how the right value is derived
 * from what came before it (never the value itself), and nothing after it is graded.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "options.h"
#include "quiz_internal.h"

typedef enum key_id {
  K_PDPT,
  K_PDPTE_ADDR,
  K_PDPTE,
  K_DIR,
  K_PDE_ADDR,
  K_PDE,
  K_TABLE,
  K_PTE_ADDR,
  K_PTE,
  K_FRAME,
  K_FAULT,
  K_PA,
  K_COUNT
} key_id;

/* In walk order: the order in which steps are graded. */
static const char *const key_name[K_COUNT] = {"pdpt",     "pdpte_addr", "pdpte", "dir",
                                              "pde_addr", "pde",        "table", "pte_addr",
                                              "pte",      "frame",      "fault", "pa"};

typedef struct answer {
  bool given[K_COUNT];
  bool none[K_COUNT]; /* fault=none */
  uint64_t value[K_COUNT];
} answer;

#define ANSWER_MAX 1024

static quiz_check_status malformed(char *why, size_t len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, len, fmt, ap);
  va_end(ap);
  return QUIZ_CHECK_MALFORMED;
}

/* s without the spaces around it (in place). */
static char *trim(char *s) {
  while (isspace((unsigned char)*s)) s++;
  size_t n = strlen(s);
  while (n > 0 && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
  return s;
}

static int find_key(const char *name) {
  for (int k = 0; k < K_COUNT; k++)
    if (strcmp(name, key_name[k]) == 0) return k;
  return -1;
}

/* One KEY=VALUE pair. */
static quiz_check_status parse_pair(char *pair, bool pae, answer *a, char *why, size_t len) {
  char *eq = strchr(pair, '=');
  if (!eq) return malformed(why, len, "'%s' is not KEY=VALUE", pair);
  *eq = '\0';
  char *key = trim(pair), *value = trim(eq + 1);
  int k = find_key(key);
  if (k < 0) return malformed(why, len, "unknown key '%s' (keys: %s)", key, QUIZ_CHECK_KEYS);
  if (k <= K_PDPTE && !pae)
    return malformed(why, len, "'%s' is a PAE key, and this exercise uses 32-bit paging", key);
  if (a->given[k]) return malformed(why, len, "duplicate key '%s'", key);
  a->given[k] = true;
  if (k == K_FAULT && strcmp(value, "none") == 0) {
    a->none[k] = true;
    return QUIZ_CHECK_RIGHT;
  }
  if (!cli_parse_u64(value, &a->value[k]))
    return malformed(why, len, "bad number '%s' for '%s' (decimal, or hexadecimal after 0x%s)",
                     value, key, k == K_FAULT ? "; or none" : "");
  return QUIZ_CHECK_RIGHT;
}

static quiz_check_status parse_answer(const char *text, bool pae, answer *a, char *why,
                                      size_t len) {
  char buf[ANSWER_MAX];
  memset(a, 0, sizeof *a);
  if (strlen(text) >= sizeof buf) return malformed(why, len, "the answer is too long");
  strcpy(buf, text);
  if (!*trim(buf)) return malformed(why, len, "the answer is empty");
  unsigned n = 0;
  for (char *part = buf, *next; part; part = next, n++) {
    next = strchr(part, ',');
    if (next) *next++ = '\0';
    char *pair = trim(part);
    if (!*pair)
      return malformed(why, len, "pair %u is empty (two commas, or one at an end)", n + 1);
    quiz_check_status st = parse_pair(pair, pae, a, why, len);
    if (st != QUIZ_CHECK_RIGHT) return st;
  }
  return QUIZ_CHECK_RIGHT;
}

/* ---- Grading one step --------------------------------------------------------------- */

typedef struct grading {
  const quiz_t *q;
  const quiz_item *it;
  quiz_facts f;
  char why[320];
} grading;

static const char *wrong(grading *g, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g->why, sizeof g->why, fmt, ap);
  va_end(ap);
  return g->why;
}

static const char *not_reached(grading *g, const char *what) {
  if (g->f.large) return wrong(g, "the PDE maps a large page (PS=1): there is no %s", what);
  return wrong(g, "the walk ends at the %s (P=0, not present): there is no %s", g->f.stop, what);
}

static const char *entry_check(grading *g, const pmmu_walk_step *s, uint64_t v, const char *what) {
  if (!s) return not_reached(g, what);
  return s->value == v ? NULL
                       : wrong(g, "the %s is the %u-bit entry stored at the %s's address", what,
                               s->size * 8, what);
}

static const char *addr_check(grading *g, const pmmu_walk_step *s, uint64_t v, const char *what) {
  if (!s) return not_reached(g, what);
  if (s->entry_pa == v) return NULL;
  uint32_t cr3 = g->q->ctl.cr3;
  if (s->level == PMMU_LEVEL_PDPTE)
    return wrong(g,
                 "the PDPTE is at CR3's base 0x%08" PRIx32 " (CR3 bits 31:5) + 8 x the PDPTE index",
                 cr3 & ~0x1Fu);
  if (s->level == PMMU_LEVEL_PDE && !g->f.pae)
    return wrong(
        g, "the PDE is at CR3's base 0x%08" PRIx32 " (CR3 bits 31:12) + 4 x the directory index",
        cr3 & ~0xFFFu);
  if (s->level == PMMU_LEVEL_PDE)
    return wrong(
        g, "the PDE is at the page directory's base (PDPTE bits 35:12) + 8 x the directory index");
  return wrong(g, "the PTE is at the page table's base (PDE bits %s:12) + %u x the table index",
               g->f.pae ? "35" : "31", s->size);
}

static const char *index_check(grading *g, const pmmu_walk_step *s, uint64_t v, unsigned want,
                               const char *what, const char *bits) {
  if (!s) return not_reached(g, what);
  return v == want ? NULL : wrong(g, "the %s index is VA bits %s", what, bits);
}

static const char *frame_check(grading *g, uint64_t v) {
  const quiz_facts *f = &g->f;
  if (!f->complete) return not_reached(g, "frame");
  if (v == f->frame || v == f->frame >> 12) return NULL;
  if (f->page_shift == 12)
    return wrong(g, "the frame is the PTE with its low 12 bits cleared (PTE bits %s:12)",
                 f->pae ? "35" : "31");
  if (f->page_shift == 21) return wrong(g, "the 2 MiB page's base is PDE bits 35:21");
  return wrong(g,
               "the 4 MiB page's base is PDE bits 31:22 (and PDE bits 16:13 are its bits 35:32)");
}

/* A hint that names the bit at fault when the access alone shows it. */
static const char *fault_hint(grading *g, uint64_t ec) {
  const pmmu_request *r = &g->it->req;
  bool id = r->access == PMMU_FETCH && (g->q->ctl.efer & PMMU_EFER_NXE);
  if (ec > 0x1F) return wrong(g, "an error code has only bits 4:0 here (P, W/R, U/S, RSVD, I/D)");
  if (!!(ec & PMMU_EC_WR) != (r->access == PMMU_WRITE))
    return wrong(g, "bit 1 (W/R) is 1 exactly when the access is a write");
  if (!!(ec & PMMU_EC_US) != (r->priv == PMMU_USER))
    return wrong(g, "bit 2 (U/S) is 1 exactly when the access is a user access");
  if (ec & PMMU_EC_RSVD)
    return wrong(g, "bit 3 (RSVD) is 1 only when a present entry has a reserved bit set");
  if (!!(ec & PMMU_EC_ID) != id)
    return wrong(g, "bit 4 (I/D) is 1 only for a fetch with NX on (PAE paging with EFER.NXE=1)");
  return NULL;
}

static const char *fault_check(grading *g, bool none, uint64_t v) {
  const quiz_facts *f = &g->f;
  if (none ? !f->fault : (f->fault && v == f->error_code)) return NULL;
  if (!none && fault_hint(g, v)) return g->why;
  return wrong(g,
               "whether and how the access faults follows from the walk: an entry with P=0 "
               "ends it with a not-present fault (bit 0 = 0); a complete walk faults when the "
               "rights deny the access (bit 0 = 1): U = AND of the U/S bits, W = AND of the R/W "
               "bits, and a supervisor write needs W=1 only when CR0.WP=1%s",
               (g->q->ctl.efer & PMMU_EFER_NXE) ? "; a fetch needs XD=0 in every entry" : "");
}

static const char *pa_check(grading *g, uint64_t v) {
  if (g->f.fault) return wrong(g, "the access faults: there is no physical address");
  if (!g->f.complete) return not_reached(g, "physical address");
  return v == g->it->answer.pa
             ? NULL
             : wrong(g, "the physical address is the page's base + the offset in the page (the VA "
                        "bits below the page size: 12 for 4 KiB, 21 for 2 MiB, 22 for 4 MiB)");
}

/* NULL when the step is right, else why it is wrong. */
static const char *grade_step(grading *g, key_id k, const answer *a) {
  const quiz_facts *f = &g->f;
  uint64_t v = a->value[k];
  switch (k) {
  case K_PDPT: return index_check(g, f->pdpte, v, f->pdpt_index, "PDPTE", "31:30");
  case K_PDPTE_ADDR: return addr_check(g, f->pdpte, v, "PDPTE");
  case K_PDPTE: return entry_check(g, f->pdpte, v, "PDPTE");
  case K_DIR:
    return index_check(g, f->pde, v, f->dir_index, "directory", f->pae ? "29:21" : "31:22");
  case K_PDE_ADDR: return addr_check(g, f->pde, v, "PDE");
  case K_PDE: return entry_check(g, f->pde, v, "PDE");
  case K_TABLE:
    return index_check(g, f->pte, v, f->table_index, "table", f->pae ? "20:12" : "21:12");
  case K_PTE_ADDR: return addr_check(g, f->pte, v, "PTE");
  case K_PTE: return entry_check(g, f->pte, v, "PTE");
  case K_FRAME: return frame_check(g, v);
  case K_FAULT: return fault_check(g, a->none[k], v);
  case K_PA: return pa_check(g, v);
  case K_COUNT: break;
  }
  return NULL;
}

/* ---- Output ------------------------------------------------------------------------- */

/* One graded step: a line, or an element of the JSON "steps" array. */
static void report(bool json, unsigned n, key_id k, const char *why, bool first, FILE *out) {
  if (!json) {
    if (why) fprintf(out, "%-10s wrong: %s\n", key_name[k], why);
    else fprintf(out, "%-10s ok\n", key_name[k]);
    return;
  }
  if (first) fprintf(out, "{\"item\":%u,\"steps\":[", n);
  else fprintf(out, ",");
  fprintf(out, "{\"key\":\"%s\",\"ok\":%s", key_name[k], why ? "false" : "true");
  if (why) {
    fprintf(out, ",\"why\":");
    quiz_json_string(why, out);
  }
  fprintf(out, "}");
}

quiz_check_status quiz_check(const quiz_t *q, unsigned n, const char *text, bool json, FILE *out,
                             char *why, size_t len) {
  answer a;
  if (n < 1 || n > q->n_items)
    return malformed(why, len, "there is no item %u (1..%u)", n, q->n_items);
  quiz_check_status st = parse_answer(text, quiz_is_pae(q), &a, why, len);
  if (st != QUIZ_CHECK_RIGHT) {
    if (json) {
      fprintf(out, "{\"item\":%u,\"error\":", n);
      quiz_json_string(why, out);
      fprintf(out, "}\n");
    }
    return st;
  }
  grading g = {.q = q, .it = &q->item[n - 1]};
  quiz_item_facts(q, g.it, &g.f);
  if (!json) {
    fprintf(out, "item %u: ", n);
    quiz_print_access(q, n, out);
    fprintf(out, "\n");
  }
  unsigned graded = 0, later = 0;
  for (int k = 0; k < K_COUNT; k++) {
    if (!a.given[k]) continue;
    if (st == QUIZ_CHECK_WRONG) {
      later++;
      continue;
    }
    const char *w = grade_step(&g, (key_id)k, &a);
    report(json, n, (key_id)k, w, graded++ == 0, out);
    if (w) st = QUIZ_CHECK_WRONG;
  }
  if (json) {
    fprintf(out, "],\"not_graded\":%u,\"correct\":%s}\n", later,
            st == QUIZ_CHECK_RIGHT ? "true" : "false");
  } else if (st == QUIZ_CHECK_RIGHT) {
    fprintf(out, "all %u step%s right\n", graded, graded == 1 ? "" : "s");
  } else if (later) {
    fprintf(out, "(%u later step%s not graded)\n", later, later == 1 ? "" : "s");
  }
  return st;
}
