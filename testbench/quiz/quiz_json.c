/* `pmmu quiz --json`: the exercise and its key as one JSON document (schema: docs/quiz.md). */
#include <inttypes.h>

#include "quiz_internal.h"

void quiz_json_string(const char *s, FILE *out) {
  fputc('"', out);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
    else if (c == '\n') fputs("\\n", out);
    else if (c < 0x20) fprintf(out, "\\u%04x", c);
    else fputc(c, out);
  }
  fputc('"', out);
}

static void hex(FILE *out, const char *key, int digits, uint64_t v) {
  fprintf(out, "\"%s\":\"0x%0*" PRIx64 "\"", key, digits, v);
}

static void print_tables(const quiz_t *q, FILE *out) {
  const quiz_table *order[QUIZ_MAX_TABLES];
  quiz_sorted_tables(q, order);
  fprintf(out, "\"tables\":[");
  for (unsigned i = 0; i < q->n_tables; i++) {
    const quiz_table *t = order[i];
    fprintf(out, "%s{\"kind\":\"%s\",", i ? "," : "", quiz_table_tag(t->kind));
    hex(out, "pa", quiz_pa_digits(q), t->pa);
    fprintf(out, ",\"entry_size\":%u,\"entries\":[", t->entry_size);
    bool first = true;
    for (unsigned e = 0; e < t->n_entries; e++) {
      if (!t->entry[e] && !t->touched[e]) continue;
      fprintf(out, "%s{\"index\":%u,", first ? "" : ",", e);
      hex(out, "value", (int)t->entry_size * 2, t->entry[e]);
      fprintf(out, "}");
      first = false;
    }
    fprintf(out, "]}");
  }
  fprintf(out, "]");
}

static void print_step(const quiz_t *q, const pmmu_walk_step *s, unsigned index, bool first,
                       FILE *out) {
  static const char *const names[] = {"pdpte", "pde", "pte"};
  fprintf(out, "%s{\"name\":\"%s\",\"index\":%u,", first ? "" : ",", names[s->level], index);
  hex(out, "addr", quiz_pa_digits(q), s->entry_pa);
  fprintf(out, ",");
  hex(out, "value", (int)s->size * 2, s->value);
  fprintf(out, "}");
}

static void print_result(const quiz_t *q, const quiz_item *it, const quiz_facts *f, FILE *out) {
  fprintf(out, "\"result\":{");
  if (f->fault) {
    hex(out, "fault", 1, f->error_code);
    fprintf(out, ",");
    hex(out, "cr2", 8, it->answer.cr2);
    fprintf(out, ",\"why\":");
    quiz_json_string(f->why, out);
  } else {
    hex(out, "pa", quiz_pa_digits(q), it->answer.pa);
  }
  if (f->complete) {
    fprintf(out, ",");
    hex(out, "frame", quiz_pa_digits(q), f->frame);
    fprintf(out, ",\"page_size\":%" PRIu64, UINT64_C(1) << f->page_shift);
  }
  fprintf(out, "}");
}

static void print_item(const quiz_t *q, unsigned n, FILE *out) {
  const quiz_item *it = &q->item[n - 1];
  quiz_facts f;
  quiz_item_facts(q, it, &f);
  fprintf(out, "%s{\"n\":%u,", n > 1 ? "," : "", n);
  hex(out, "va", 8, it->req.la);
  fprintf(out, ",\"access\":\"%s\",\"priv\":\"%s\",\"steps\":[", pmmu_access_name(it->req.access),
          it->req.priv == PMMU_USER ? "user" : "sup");
  if (f.pdpte) print_step(q, f.pdpte, f.pdpt_index, true, out);
  if (f.pde) print_step(q, f.pde, f.dir_index, !f.pdpte, out);
  if (f.pte) print_step(q, f.pte, f.table_index, false, out);
  fprintf(out, "],\"tlb\":\"%s\",", it->tlb_hit ? "hit" : "miss");
  print_result(q, it, &f, out);
  fprintf(out, "}");
}

void quiz_print_json(const quiz_t *q, FILE *out) {
  const quiz_options *o = &q->opt;
  fprintf(out, "{");
  hex(out, "seed", 1, o->seed);
  fprintf(out, ",\"mode\":\"%s\",\"nx\":%s,", quiz_mode_name(o->mode), o->nx ? "true" : "false");
  hex(out, "cr0", 8, q->ctl.cr0);
  fprintf(out, ",");
  hex(out, "cr3", 8, q->ctl.cr3);
  fprintf(out, ",");
  hex(out, "cr4", 8, q->ctl.cr4);
  fprintf(out, ",");
  hex(out, "efer", 8, q->ctl.efer);
  fprintf(out, ",\"tlb\":{\"sets\":%u,\"ways\":%u,\"large\":%u},", o->tlb_sets, QUIZ_TLB_WAYS,
          QUIZ_TLB_LARGE);
  if (o->student) {
    fprintf(out, "\"student\":");
    quiz_json_string(o->student, out);
    fprintf(out, ",\"assignment\":");
    quiz_json_string(o->assignment, out);
    fprintf(out, ",");
  }
  print_tables(q, out);
  fprintf(out, ",\"items\":[");
  for (unsigned n = 1; n <= q->n_items; n++) print_item(q, n, out);
  fprintf(out, "]}\n");
}
