/*
 * Exports (docs/quiz.md "Formats"): the answer grid in the CS:APP style as text, Markdown or
 * CSV; a scenario file whose expect lines are the key; Moodle GIFT questions.
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "quiz_internal.h"

/* ---- The answer grid ---------------------------------------------------------------- */

enum {
  COL_N,
  COL_VA,
  COL_ACCESS,
  COL_PRIV,
  COL_PDPT,
  COL_DIR,
  COL_TABLE,
  COL_OFFSET,
  COL_VPN,
  COL_SET,
  COL_TAG,
  COL_HIT,
  COL_FAULT,
  COL_PPN,
  COL_PA,
  COL_COUNT
};

static const char *const col_title[COL_COUNT] = {"#",       "VA",      "access", "priv", "PDPT",
                                                 "dir",     "table",   "offset", "VPN",  "TLB set",
                                                 "TLB tag", "TLB hit", "fault",  "PPN",  "PA"};
static const char *const col_csv[COL_COUNT] = {"item",    "va",      "access", "priv", "pdpt",
                                               "dir",     "table",   "offset", "vpn",  "tlb_set",
                                               "tlb_tag", "tlb_hit", "fault",  "ppn",  "pa"};

typedef struct grid_row {
  char cell[COL_COUNT][24];
} grid_row;

static unsigned log2u(unsigned n) {
  unsigned k = 0;
  while ((1u << k) < n) k++;
  return k;
}

/* One item's row; `none` is what an empty cell shows ("-", or "" in CSV). */
static void grid_fill(const quiz_t *q, unsigned n, const char *none, grid_row *row) {
  const quiz_item *it = &q->item[n - 1];
  quiz_facts f;
  quiz_item_facts(q, it, &f);
  uint32_t la = it->req.la;
  unsigned shift = f.large ? f.page_shift : 12;
  uint32_t vpn = la >> shift;
  char(*c)[24] = row->cell;
  snprintf(c[COL_N], 24, "%u", n);
  snprintf(c[COL_VA], 24, "0x%08" PRIx32, la);
  snprintf(c[COL_ACCESS], 24, "%s", pmmu_access_name(it->req.access));
  snprintf(c[COL_PRIV], 24, "%s", it->req.priv == PMMU_USER ? "user" : "sup");
  snprintf(c[COL_PDPT], 24, "%u", f.pdpt_index);
  snprintf(c[COL_DIR], 24, "0x%03x", f.dir_index);
  if (f.large) snprintf(c[COL_TABLE], 24, "%s", none);
  else snprintf(c[COL_TABLE], 24, "0x%03x", f.table_index);
  snprintf(c[COL_OFFSET], 24, "0x%0*" PRIx32, shift == 12 ? 3 : 6,
           la & ((UINT32_C(1) << shift) - 1));
  snprintf(c[COL_VPN], 24, "0x%0*" PRIx32, shift == 12 ? 5 : 3, vpn);
  if (f.large) snprintf(c[COL_SET], 24, "large");
  else snprintf(c[COL_SET], 24, "0x%x", vpn & (q->opt.tlb_sets - 1));
  snprintf(c[COL_TAG], 24, "0x%" PRIx32, f.large ? vpn : vpn >> log2u(q->opt.tlb_sets));
  snprintf(c[COL_HIT], 24, "%s", it->tlb_hit ? "yes" : "no");
  if (f.fault) snprintf(c[COL_FAULT], 24, "0x%" PRIx32, f.error_code);
  else snprintf(c[COL_FAULT], 24, "%s", none);
  int w = quiz_pa_digits(q);
  if (f.fault) {
    snprintf(c[COL_PPN], 24, "%s", none);
    snprintf(c[COL_PA], 24, "%s", none);
  } else {
    snprintf(c[COL_PPN], 24, "0x%0*" PRIx64, w - 3, f.frame >> 12);
    snprintf(c[COL_PA], 24, "0x%0*" PRIx64, w, it->answer.pa);
  }
}

static bool column_used(const quiz_t *q, int col) { return col != COL_PDPT || quiz_is_pae(q); }

static void grid_geometry(const quiz_t *q, const char *prefix, FILE *out) {
  unsigned sets = q->opt.tlb_sets;
  fprintf(
      out,
      "%sTLB: %u sets x %u ways for 4 KiB pages (VPN = VA >> 12, set = VPN mod %u, tag = VPN / %u),\n",
      prefix, sets, QUIZ_TLB_WAYS, sets, sets);
  fprintf(out,
          "%s%u fully associative entries for large pages (VPN = VA >> %u, tag = VPN); PLRU;\n",
          prefix, QUIZ_TLB_LARGE, quiz_is_pae(q) ? 21 : 22);
  fprintf(out, "%sempty before item 1, then filled by the items in order.\n", prefix);
}

static void grid_text(const quiz_t *q, FILE *out) {
  grid_row *rows = calloc(q->n_items + 1, sizeof *rows);
  if (!rows) return;
  for (int c = 0; c < COL_COUNT; c++) snprintf(rows[0].cell[c], 24, "%s", col_title[c]);
  for (unsigned n = 1; n <= q->n_items; n++) grid_fill(q, n, "-", &rows[n]);
  size_t width[COL_COUNT] = {0};
  for (unsigned r = 0; r <= q->n_items; r++)
    for (int c = 0; c < COL_COUNT; c++)
      if (strlen(rows[r].cell[c]) > width[c]) width[c] = strlen(rows[r].cell[c]);
  quiz_print_heading(q, "", out);
  grid_geometry(q, "", out);
  fprintf(out, "\n");
  for (unsigned r = 0; r <= q->n_items; r++) {
    const char *sep = "";
    for (int c = 0; c < COL_COUNT; c++) {
      if (!column_used(q, c)) continue;
      bool last = c == COL_COUNT - 1;
      fprintf(out, "%s%-*s", sep, last ? 0 : (int)width[c], rows[r].cell[c]);
      sep = "  ";
    }
    fprintf(out, "\n");
  }
  free(rows);
}

static void grid_md(const quiz_t *q, FILE *out) {
  quiz_print_heading(q, "", out);
  fprintf(out, "\n");
  grid_geometry(q, "", out);
  fprintf(out, "\n|");
  for (int c = 0; c < COL_COUNT; c++)
    if (column_used(q, c)) fprintf(out, " %s |", col_title[c]);
  fprintf(out, "\n|");
  for (int c = 0; c < COL_COUNT; c++)
    if (column_used(q, c)) fprintf(out, "---|");
  fprintf(out, "\n");
  for (unsigned n = 1; n <= q->n_items; n++) {
    grid_row row;
    grid_fill(q, n, "-", &row);
    fprintf(out, "|");
    for (int c = 0; c < COL_COUNT; c++)
      if (column_used(q, c)) fprintf(out, " %s |", row.cell[c]);
    fprintf(out, "\n");
  }
}

void quiz_csv_field(const char *s, FILE *out) {
  if (!strpbrk(s, ",\"\r\n")) {
    fputs(s, out);
    return;
  }
  fputc('"', out);
  for (; *s; s++) {
    if (*s == '"') fputc('"', out);
    fputc(*s, out);
  }
  fputc('"', out);
}

/* RFC 4180: CRLF line ends, a header row; the TLB geometry in two columns of every row. */
static void grid_csv(const quiz_t *q, FILE *out) {
  for (int c = 0; c < COL_COUNT; c++)
    if (column_used(q, c)) fprintf(out, "%s,", col_csv[c]);
  fprintf(out, "tlb_sets,tlb_ways\r\n");
  for (unsigned n = 1; n <= q->n_items; n++) {
    grid_row row;
    grid_fill(q, n, "", &row);
    for (int c = 0; c < COL_COUNT; c++) {
      if (!column_used(q, c)) continue;
      quiz_csv_field(row.cell[c], out);
      fputc(',', out);
    }
    fprintf(out, "%u,%u\r\n", q->opt.tlb_sets, QUIZ_TLB_WAYS);
  }
}

/* ---- The scenario ------------------------------------------------------------------- */

static void scenario_memory(const quiz_t *q, FILE *out) {
  const quiz_table *order[QUIZ_MAX_TABLES];
  bool large_ok = quiz_is_pae(q) || (q->ctl.cr4 & PMMU_CR4_PSE);
  int w = quiz_pa_digits(q);
  quiz_sorted_tables(q, order);
  for (unsigned i = 0; i < q->n_tables; i++) {
    const quiz_table *t = order[i];
    fprintf(out, "\n# %s (%s) at 0x%0*" PRIx64 "\n", quiz_table_name(t->kind),
            quiz_table_tag(t->kind), w, t->pa);
    for (unsigned e = 0; e < t->n_entries; e++) {
      if (!t->entry[e]) continue;
      char flags[64];
      fprintf(out, "mem%u 0x%0*" PRIx64 " 0x%0*" PRIx64 "   # [0x%03x] %s\n", t->entry_size * 8, w,
              t->pa + (uint64_t)e * t->entry_size, (int)t->entry_size * 2, t->entry[e], e,
              quiz_flags(t->entry[e], t->kind, large_ok, flags, sizeof flags));
    }
  }
}

static void scenario(const quiz_t *q, FILE *out) {
  quiz_print_heading(q, "# ", out);
  fprintf(out,
          "# The exercise as a scenario: `pmmu run FILE` checks its key (the expect lines).\n");
  fprintf(out, "tlb sets=%u ways=%u large=%u policy=plru\n", q->opt.tlb_sets, QUIZ_TLB_WAYS,
          QUIZ_TLB_LARGE);
  scenario_memory(q, out);
  fprintf(out, "\n# EFER and CR4 first: the write of CR3 then loads the PDPTEs in PAE paging.\n");
  if (q->ctl.efer) fprintf(out, "efer 0x%" PRIx64 "\n", q->ctl.efer);
  fprintf(out, "cr4 0x%08" PRIx32 "\ncr3 0x%08" PRIx32 "\ncr0 0x%08" PRIx32 "\n", q->ctl.cr4,
          q->ctl.cr3, q->ctl.cr0);
  for (unsigned n = 1; n <= q->n_items; n++) {
    const quiz_item *it = &q->item[n - 1];
    fprintf(out, "\n# ");
    quiz_print_item_line(q, n, out);
    fprintf(out, "\n%s 0x%08" PRIx32 " %s\n", pmmu_access_name(it->req.access), it->req.la,
            it->req.priv == PMMU_USER ? "user" : "sup");
    if (it->answer.outcome == PMMU_OK)
      fprintf(out, "expect pa 0x%0*" PRIx64 "\n", quiz_pa_digits(q), it->answer.pa);
    else fprintf(out, "expect fault 0x%" PRIx32 "\n", it->answer.error_code);
    fprintf(out, "expect %s\n", it->tlb_hit ? "hit" : "miss");
  }
}

/* ---- GIFT --------------------------------------------------------------------------- */

void quiz_gift_escape(const char *s, FILE *out) {
  for (; *s; s++) {
    if (strchr("~=#{}:\\", *s)) fputc('\\', out);
    fputc(*s, out);
  }
}

/* HTML inside GIFT: the HTML specials as entities, then the GIFT specials escaped. */
static void gift_html(const char *s, FILE *out) {
  for (; *s; s++) {
    char one[2] = {*s, '\0'};
    if (*s == '<') fputs("&lt;", out);
    else if (*s == '>') fputs("&gt;", out);
    else if (*s == '&') fputs("&amp;", out);
    else quiz_gift_escape(one, out);
  }
}

/* The world as text, once, for every question (compact: no blank line ends a question). */
static char *world_text(const quiz_t *q, bool decoded) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (!f) return NULL;
  quiz_print_world(q, decoded, true, f);
  fclose(f);
  return text;
}

static void gift_question(const quiz_t *q, unsigned n, const char *world, FILE *out) {
  const quiz_item *it = &q->item[n - 1];
  char line[64];
  snprintf(line, sizeof line, "%s %s 0x%08" PRIx32, pmmu_access_name(it->req.access),
           it->req.priv == PMMU_USER ? "user" : "sup", it->req.la);
  fprintf(out, "::seed 0x%" PRIx64 " item %u::[html]<pre>", q->opt.seed, n);
  gift_html(world, out);
  fprintf(out, "</pre>\n<p>");
  gift_html(line, out);
  gift_html(": the physical address in hexadecimal (0x...), or, if the access faults, "
            "\"fault 0x...\" with the #PF error code?</p>",
            out);
  if (it->answer.outcome == PMMU_OK)
    fprintf(out, "{=0x%0*" PRIx64 " =0x%" PRIx64 "}\n\n", quiz_pa_digits(q), it->answer.pa,
            it->answer.pa);
  else
    fprintf(out, "{=fault 0x%" PRIx32 " =fault 0x%02" PRIx32 "}\n\n", it->answer.error_code,
            it->answer.error_code);
}

static void gift(const quiz_t *q, bool decoded, FILE *out) {
  quiz_print_heading(q, "// ", out);
  fprintf(out, "// Moodle GIFT: one short-answer question per item.\n\n");
  char *world = world_text(q, decoded);
  if (!world) return;
  for (unsigned n = 1; n <= q->n_items; n++) gift_question(q, n, world, out);
  free(world);
}

void quiz_export(const quiz_t *q, quiz_format format, bool decoded, FILE *out) {
  switch (format) {
  case QUIZ_FORMAT_TEXT: grid_text(q, out); return;
  case QUIZ_FORMAT_MD: grid_md(q, out); return;
  case QUIZ_FORMAT_CSV: grid_csv(q, out); return;
  case QUIZ_FORMAT_PMMU: scenario(q, out); return;
  case QUIZ_FORMAT_GIFT: gift(q, decoded, out); return;
  }
}
