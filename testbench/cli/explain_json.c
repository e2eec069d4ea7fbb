/*
 * `pmmu explain --json`: the facts of explain.c as one JSON object on one line, for programs
 * that draw the walk (the teaching web page). The keys are a contract:
 * docs/spec/scenario-format.md, "Output of pmmu explain --json".
 */
#include <inttypes.h>

#include "explain.h"

/* A JSON string: the sentences are ASCII, but quotes and control characters are escaped. */
static void json_string(FILE *out, const char *s) {
  fputc('"', out);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
    else if (c < 0x20) fprintf(out, "\\u%04x", c);
    else fputc(c, out);
  }
  fputc('"', out);
}

static const char *bool_word(bool b) { return b ? "true" : "false"; }

static const char *mode_name(const explain_facts *f) {
  return !f->paging ? "off" : f->pae ? "pae" : "32-bit";
}

static void split_field(FILE *out, bool first, const char *bits, const char *name, uint32_t value) {
  fprintf(out, "%s{\"bits\":\"%s\",\"name\":\"%s\",\"value\":%" PRIu32 "}", first ? "" : ",", bits,
          name, value);
}

/* How the linear address splits, as the text's "Linear address" block. */
static void print_split(FILE *out, const explain_facts *f) {
  uint32_t la = f->req.la;
  fputs("\"split\":[", out);
  if (f->paging && f->pae) {
    split_field(out, true, "31:30", "PDPTE index", la >> 30);
    split_field(out, false, "29:21", "directory index", (la >> 21) & 0x1FF);
    if (f->shift == 21) split_field(out, false, "20:0", "page offset", la & 0x1FFFFF);
    else {
      split_field(out, false, "20:12", "table index", (la >> 12) & 0x1FF);
      split_field(out, false, "11:0", "page offset", la & 0xFFF);
    }
  } else if (f->paging) {
    split_field(out, true, "31:22", "directory index", la >> 22);
    if (f->shift == 22) split_field(out, false, "21:0", "page offset", la & 0x3FFFFF);
    else {
      split_field(out, false, "21:12", "table index", (la >> 12) & 0x3FF);
      split_field(out, false, "11:0", "page offset", la & 0xFFF);
    }
  }
  fputs("]", out);
}

static void print_step(FILE *out, const pmmu_walk_step *s, bool first) {
  unsigned index = s->level == PMMU_LEVEL_PDPTE ? (unsigned)((s->entry_pa & 0x18) >> 3)
                                                : (unsigned)((s->entry_pa & 0xFFF) / s->size);
  uint64_t v = s->value;
  bool pte = s->level == PMMU_LEVEL_PTE;
  fprintf(out, "%s{\"level\":\"%s\",\"index\":%u,\"addr\":\"0x%09" PRIx64 "\"", first ? "" : ",",
          pmmu_level_name(s->level), index, s->entry_pa);
  if (s->bus_error) {
    fputs(",\"bus_error\":true}", out);
    return;
  }
  fprintf(out, ",\"value\":\"0x%0*" PRIx64 "\"", (int)s->size * 2, v);
  fprintf(out,
          ",\"flags\":{\"P\":%d,\"RW\":%d,\"US\":%d,\"PWT\":%d,\"PCD\":%d,\"A\":%d,\"D\":%d,"
          "\"PS\":%d,\"PAT\":%d,\"G\":%d,\"XD\":%d}}",
          !!(v & PMMU_PTE_P), !!(v & PMMU_PTE_RW), !!(v & PMMU_PTE_US), !!(v & PMMU_PTE_PWT),
          !!(v & PMMU_PTE_PCD), !!(v & PMMU_PTE_A), !!(v & PMMU_PTE_D), !pte && (v & PMMU_PTE_PS),
          pte && (v & PMMU_PTE_PAT4K), !!(v & PMMU_PTE_G), s->size == 8 && (v & PMMU_PTE_XD));
}

static void print_entry_fields(FILE *out, const pmmu_tlb_entry *e) {
  fprintf(out,
          "\"page\":\"0x%08" PRIx32 "\",\"page_size\":%" PRIu64 ",\"frame\":\"0x%09" PRIx64
          "\",\"U\":%d,\"W\":%d,\"X\":%d,\"D\":%d,\"G\":%d",
          e->vpn << e->page_shift, UINT64_C(1) << e->page_shift, e->frame_pa, e->u, e->w, e->x,
          e->d, e->g);
}

static void print_differs(FILE *out, unsigned d) {
  static const struct {
    unsigned bit;
    const char *name;
  } names[] = {{EXPLAIN_DIFF_MAPPED, "mapped"}, {EXPLAIN_DIFF_SIZE, "page_size"},
               {EXPLAIN_DIFF_FRAME, "frame"},   {EXPLAIN_DIFF_U, "U"},
               {EXPLAIN_DIFF_W, "W"},           {EXPLAIN_DIFF_X, "X"},
               {EXPLAIN_DIFF_D, "D"},           {EXPLAIN_DIFF_G, "G"}};
  bool first = true;
  fputs(",\"differs\":[", out);
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (!(d & names[i].bit)) continue;
    fprintf(out, "%s\"%s\"", first ? "" : ",", names[i].name);
    first = false;
  }
  fputs("]", out);
}

static void print_tlb(FILE *out, const explain_facts *f) {
  const explain_tlb_view *v = &f->tlb;
  if (!v->cached) {
    fputs(",\"tlb\":{\"cached\":false}", out);
    return;
  }
  fprintf(out, ",\"tlb\":{\"cached\":true,\"array\":\"%s\",\"set\":%u,\"way\":%u,",
          v->slot.large ? "large" : "4K", v->slot.set, v->slot.way);
  print_entry_fields(out, &v->slot.entry);
  fprintf(out, ",\"stale\":%s", bool_word(v->differs != 0));
  print_differs(out, v->differs);
  if (v->memory_maps) {
    fputs(",\"memory\":{\"mapped\":true,", out);
    print_entry_fields(out, &v->memory);
    fputs("}", out);
  } else {
    fputs(",\"memory\":{\"mapped\":false}", out);
  }
  fprintf(out, ",\"used\":%s", bool_word(v->used));
  if (v->used) fprintf(out, ",\"hit_pa\":\"0x%09" PRIx64 "\"", v->hit_pa);
  else {
    fputs(",\"why\":", out);
    json_string(out, v->why);
  }
  fprintf(out, ",\"flushed_by_cr3\":%s}", bool_word(!v->slot.entry.g));
}

static void print_result(FILE *out, const explain_facts *f) {
  const pmmu_response *r = &f->resp;
  char rule[256], ec[96];
  fputs(",\"rule\":", out);
  json_string(out, explain_rule(f, rule, sizeof rule));
  fprintf(out, ",\"allowed\":%s", bool_word(r->outcome == PMMU_OK));
  if (r->outcome == PMMU_OK)
    fprintf(out, ",\"pa\":\"0x%09" PRIx64 "\",\"page_size\":%" PRIu64, r->pa,
            UINT64_C(1) << r->page_shift);
  else if (r->outcome == PMMU_PAGE_FAULT)
    fprintf(out,
            ",\"fault\":{\"vector\":14,\"ec\":\"0x%" PRIx32 "\",\"cr2\":\"0x%08" PRIx32
            "\",\"bits\":\"%s\"}",
            r->error_code, r->cr2, pmmu_ec_describe(r->error_code, ec, sizeof ec));
  else fprintf(out, ",\"bus_error\":\"0x%09" PRIx64 "\"", r->bus_error_pa);
}

void explain_print_json(FILE *out, const explain_facts *f) {
  const pmmu_control *c = &f->ctl;
  fprintf(out,
          "{\"va\":\"0x%08" PRIx32
          "\",\"access\":\"%s\",\"priv\":\"%s\",\"ac\":%s,\"cr0\":\"0x%08" PRIx32
          "\",\"cr3\":\"0x%08" PRIx32 "\",\"cr4\":\"0x%08" PRIx32 "\",\"efer\":\"0x%" PRIx64
          "\",\"mode\":\"%s\",",
          f->req.la, pmmu_access_name(f->req.access), pmmu_priv_name(f->req.priv),
          bool_word(f->req.ac), c->cr0, c->cr3, c->cr4, c->efer, mode_name(f));
  print_split(out, f);
  fputs(",\"steps\":[", out);
  for (unsigned i = 0; f->paging && i < f->trace.n_steps; i++)
    print_step(out, &f->trace.steps[i], i == 0);
  fputs("]", out);
  if (f->reached_leaf) fprintf(out, ",\"rights\":{\"U\":%d,\"W\":%d,\"X\":%d}", f->u, f->w, f->x);
  print_result(out, f);
  print_tlb(out, f);
  fputs("}\n", out);
}
