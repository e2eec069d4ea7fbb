/*
 * The exercise as the student sees it (heading, control registers, the memory that matters
 * as a debugger's dump or decoded tables, the items), and the answers: step by step
 * (--solve) or only the final ones (--reveal pa).
 */
#include <inttypes.h>
#include <string.h>

#include "quiz_internal.h"

const char *quiz_table_name(quiz_table_kind k) {
  return k == QUIZ_PDPT ? "page-directory-pointer table"
         : k == QUIZ_PD ? "page directory"
                        : "page table";
}

const char *quiz_table_tag(quiz_table_kind k) {
  return k == QUIZ_PDPT ? "PDPT" : k == QUIZ_PD ? "PD" : "PT";
}

static void append(char *buf, size_t len, const char *word) {
  size_t used = strlen(buf);
  snprintf(buf + used, len - used, "%s%s", used ? " " : "", word);
}

const char *quiz_flags(uint64_t v, quiz_table_kind kind, bool large_ok, char *buf, size_t len) {
  buf[0] = '\0';
  if (!(v & PMMU_PTE_P)) {
    snprintf(buf, len, "not present");
    return buf;
  }
  static const struct {
    uint64_t bit;
    const char *name;
  } bits[] = {{PMMU_PTE_P, "P"},     {PMMU_PTE_RW, "RW"},   {PMMU_PTE_US, "US"},
              {PMMU_PTE_PWT, "PWT"}, {PMMU_PTE_PCD, "PCD"}, {PMMU_PTE_A, "A"},
              {PMMU_PTE_D, "D"},     {PMMU_PTE_PS, "PS"},   {PMMU_PTE_G, "G"},
              {PMMU_PTE_XD, "XD"}};
  for (unsigned i = 0; i < sizeof bits / sizeof bits[0]; i++) {
    if (!(v & bits[i].bit)) continue;
    bool ps = bits[i].bit == PMMU_PTE_PS;
    append(buf, len,
           ps && kind == QUIZ_PT ? "PAT"
           : ps && !large_ok     ? "PS(ignored)"
                                 : bits[i].name);
  }
  return buf;
}

const char *quiz_ec_bits(uint32_t ec, char *buf, size_t len) {
  snprintf(buf, len, "P=%u W/R=%u U/S=%u RSVD=%u I/D=%u", ec & 1, (ec >> 1) & 1, (ec >> 2) & 1,
           (ec >> 3) & 1, (ec >> 4) & 1);
  return buf;
}

/* ---- Heading and world ------------------------------------------------------------------ */

static const char *mode_title(const quiz_t *q) {
  switch (q->opt.mode) {
  case QUIZ_MODE_32: return "32-bit paging, 4 KiB pages";
  case QUIZ_MODE_PSE: return "32-bit paging, 4 KiB and 4 MiB pages (CR4.PSE=1)";
  case QUIZ_MODE_PAE:
    return q->opt.nx ? "PAE paging with NX, 4 KiB and 2 MiB pages"
                     : "PAE paging, 4 KiB and 2 MiB pages";
  }
  return "";
}

void quiz_print_command(const quiz_t *q, FILE *out) {
  const quiz_options *o = &q->opt;
  fprintf(out, "pmmu quiz --seed 0x%" PRIx64, o->seed);
  if (o->mode == QUIZ_MODE_PSE) fprintf(out, " --pse");
  if (o->mode == QUIZ_MODE_PAE) fprintf(out, " --pae");
  if (o->nx) fprintf(out, " --nx");
  if (o->items != QUIZ_DEFAULT_ITEMS) fprintf(out, " --items %u", o->items);
  if (o->tlb_sets != QUIZ_DEFAULT_TLB_SETS) fprintf(out, " --tlb-sets %u", o->tlb_sets);
}

void quiz_print_heading(const quiz_t *q, const char *prefix, FILE *out) {
  const quiz_options *o = &q->opt;
  fprintf(out, "%spmmu quiz, seed 0x%" PRIx64 ": %s, %u item%s\n", prefix, o->seed, mode_title(q),
          o->items, o->items == 1 ? "" : "s");
  if (o->student)
    fprintf(out, "%sstudent %s, assignment %s (the seed is FNV-1a 64 of \"%s\\0%s\")\n", prefix,
            o->student, o->assignment, o->assignment, o->student);
  fprintf(out, "%sregenerate: ", prefix);
  quiz_print_command(q, out);
  fprintf(out, "\n");
}

static void print_control(const quiz_t *q, FILE *out) {
  const pmmu_control *c = &q->ctl;
  fprintf(out, "CR0  = 0x%08" PRIx32 "   PG=1 WP=%d\n", c->cr0, !!(c->cr0 & PMMU_CR0_WP));
  fprintf(out, "CR4  = 0x%08" PRIx32 "   PSE=%d PAE=%d\n", c->cr4, !!(c->cr4 & PMMU_CR4_PSE),
          !!(c->cr4 & PMMU_CR4_PAE));
  if (quiz_is_pae(q)) {
    fprintf(out, "EFER = 0x%08" PRIx64 "   NXE=%d\n", c->efer, !!(c->efer & PMMU_EFER_NXE));
    fprintf(out, "CR3  = 0x%08" PRIx32 "   the 4 PDPTEs are at 0x%08" PRIx32 "\n", c->cr3,
            c->cr3 & ~0x1Fu);
  } else {
    fprintf(out, "CR3  = 0x%08" PRIx32 "   the page directory is at 0x%08" PRIx32 "\n", c->cr3,
            c->cr3 & ~0xFFFu);
  }
}

static bool shown(const quiz_table *t, unsigned i) { return t->entry[i] || t->touched[i]; }

void quiz_sorted_tables(const quiz_t *q, const quiz_table **out) {
  for (unsigned i = 0; i < q->n_tables; i++) out[i] = &q->table[i];
  for (unsigned i = 1; i < q->n_tables; i++)
    for (unsigned j = i; j > 0 && out[j - 1]->pa > out[j]->pa; j--) {
      const quiz_table *t = out[j];
      out[j] = out[j - 1], out[j - 1] = t;
    }
}

static void dump_table(const quiz_t *q, const quiz_table *t, FILE *out) {
  unsigned per_line = t->entry_size == 4 ? 8 : 4;
  for (unsigned line = 0; line < t->n_entries; line += per_line) {
    bool any = false;
    for (unsigned i = line; i < line + per_line && i < t->n_entries; i++) any |= shown(t, i);
    if (!any) continue;
    fprintf(out, "0x%0*" PRIx64 ":", quiz_pa_digits(q), t->pa + (uint64_t)line * t->entry_size);
    for (unsigned i = line; i < line + per_line && i < t->n_entries; i++)
      fprintf(out, " %0*" PRIx64, (int)t->entry_size * 2, t->entry[i]);
    fprintf(out, "\n");
  }
}

/* What a present entry points to, for the decoded view. */
static void entry_target(const quiz_t *q, const quiz_table *t, uint64_t v, char *buf, size_t len) {
  bool pae = quiz_is_pae(q);
  bool large = t->kind == QUIZ_PD && (v & PMMU_PTE_PS) && (pae || (q->ctl.cr4 & PMMU_CR4_PSE));
  int w = quiz_pa_digits(q);
  if (!(v & PMMU_PTE_P)) snprintf(buf, len, "-");
  else if (t->kind == QUIZ_PDPT)
    snprintf(buf, len, "directory 0x%0*" PRIx64, w, v & UINT64_C(0xFFFFFF000));
  else if (large && pae)
    snprintf(buf, len, "2 MiB page 0x%0*" PRIx64, w, v & UINT64_C(0xFFFE00000));
  else if (large)
    snprintf(buf, len, "4 MiB page 0x%0*" PRIx64, w, (v & 0xFFC00000u) | ((v >> 13) & 0xF) << 32);
  else
    snprintf(buf, len, "%s 0x%0*" PRIx64, t->kind == QUIZ_PD ? "table" : "frame", w,
             v & (pae ? UINT64_C(0xFFFFFF000) : UINT64_C(0xFFFFF000)));
}

static void decode_table(const quiz_t *q, const quiz_table *t, bool compact, FILE *out) {
  bool large_ok = quiz_is_pae(q) || (q->ctl.cr4 & PMMU_CR4_PSE);
  if (!compact) fprintf(out, "\n");
  fprintf(out, "%s (%s) at 0x%0*" PRIx64 ", %u entries of %u bytes; entries not listed are 0:\n",
          quiz_table_name(t->kind), quiz_table_tag(t->kind), quiz_pa_digits(q), t->pa, t->n_entries,
          t->entry_size);
  for (unsigned i = 0; i < t->n_entries; i++) {
    if (!shown(t, i)) continue;
    char target[48], flags[64];
    entry_target(q, t, t->entry[i], target, sizeof target);
    fprintf(out, "  [0x%03x] 0x%0*" PRIx64 "  %-24s %s\n", i, (int)t->entry_size * 2, t->entry[i],
            target, quiz_flags(t->entry[i], t->kind, large_ok, flags, sizeof flags));
  }
}

void quiz_print_world(const quiz_t *q, bool decoded, bool compact, FILE *out) {
  const quiz_table *order[QUIZ_MAX_TABLES];
  print_control(q, out);
  quiz_sorted_tables(q, order);
  if (decoded) {
    for (unsigned i = 0; i < q->n_tables; i++) decode_table(q, order[i], compact, out);
    return;
  }
  if (!compact) fprintf(out, "\n");
  fprintf(out, "Physical memory, %s little-endian, in hexadecimal (lines not shown are all 0):\n",
          quiz_is_pae(q) ? "64-bit words" : "32-bit words");
  for (unsigned i = 0; i < q->n_tables; i++) dump_table(q, order[i], out);
}

void quiz_print_access(const quiz_t *q, unsigned n, FILE *out) {
  const pmmu_request *r = &q->item[n - 1].req;
  fprintf(out, "%s %s 0x%08" PRIx32, pmmu_access_name(r->access),
          r->priv == PMMU_USER ? "user" : "sup", r->la);
}

void quiz_print_item_line(const quiz_t *q, unsigned n, FILE *out) {
  fprintf(out, "%u. ", n);
  quiz_print_access(q, n, out);
}

/* ---- Answers ---------------------------------------------------------------------------- */

static void print_index(FILE *out, const char *what, const char *bits, unsigned v) {
  fprintf(out, "   %s = VA[%s] = 0x%03x (%u)\n", what, bits, v, v);
}

static void print_entry(const quiz_t *q, const pmmu_walk_step *s, unsigned index, FILE *out) {
  char flags[64];
  quiz_table_kind kind = s->level == PMMU_LEVEL_PDPTE ? QUIZ_PDPT
                         : s->level == PMMU_LEVEL_PDE ? QUIZ_PD
                                                      : QUIZ_PT;
  bool large_ok = quiz_is_pae(q) || (q->ctl.cr4 & PMMU_CR4_PSE);
  int w = quiz_pa_digits(q);
  fprintf(out, "   %s at 0x%0*" PRIx64 " + %u x 0x%03x = 0x%0*" PRIx64 ": 0x%0*" PRIx64 " (%s)\n",
          pmmu_level_name(s->level), w, s->entry_pa - (uint64_t)s->size * index, s->size, index, w,
          s->entry_pa, (int)s->size * 2, s->value,
          quiz_flags(s->value, kind, large_ok, flags, sizeof flags));
}

static void print_rights(const quiz_t *q, const quiz_facts *f, FILE *out) {
  const pmmu_walk_step *lv[2] = {f->pde, f->large ? NULL : f->pte};
  const char *name[2] = {"PDE", "PTE"};
  bool nx = (q->ctl.efer & PMMU_EFER_NXE) != 0;
  fprintf(out, "   rights:");
  for (unsigned i = 0; i < 2; i++) {
    if (!lv[i]) continue;
    uint64_t v = lv[i]->value;
    fprintf(out, " %s U/S=%d R/W=%d", name[i], !!(v & PMMU_PTE_US), !!(v & PMMU_PTE_RW));
    if (nx) fprintf(out, " XD=%d", !!(v & PMMU_PTE_XD));
    fprintf(out, i == 0 && lv[1] ? ";" : "");
  }
  fprintf(out, " (CR0.WP=%d)\n", !!(q->ctl.cr0 & PMMU_CR0_WP));
}

static void print_leaf(const quiz_t *q, const quiz_item *it, const quiz_facts *f, FILE *out) {
  int w = quiz_pa_digits(q);
  const char *size = f->page_shift == 12 ? "4 KiB" : f->page_shift == 21 ? "2 MiB" : "4 MiB";
  fprintf(out, "   %s page at 0x%0*" PRIx64 "%s\n", size, w, f->frame,
          f->large ? " (PS=1: the PDE maps it)" : "");
  print_rights(q, f, out);
  if (f->fault) return;
  uint64_t offset = it->req.la & ((UINT64_C(1) << f->page_shift) - 1);
  fprintf(out, "   allowed: physical address = 0x%0*" PRIx64 " + 0x%" PRIx64 " = 0x%0*" PRIx64 "\n",
          w, f->frame, offset, w, it->answer.pa);
}

static void print_solution(const quiz_t *q, const quiz_item *it, FILE *out) {
  quiz_facts f;
  quiz_item_facts(q, it, &f);
  if (f.pdpte) {
    fprintf(out, "   PDPTE index = VA[31:30] = %u\n", f.pdpt_index);
    print_entry(q, f.pdpte, f.pdpt_index, out);
  }
  if (f.pde) {
    print_index(out, "directory index", f.pae ? "29:21" : "31:22", f.dir_index);
    print_entry(q, f.pde, f.dir_index, out);
  }
  if (f.pte) {
    print_index(out, "table index", f.pae ? "20:12" : "21:12", f.table_index);
    print_entry(q, f.pte, f.table_index, out);
  }
  if (f.complete) print_leaf(q, it, &f, out);
  if (!f.fault) return;
  char bits[64];
  fprintf(out, "   #PF: %s\n", f.why);
  fprintf(out, "   error code 0x%" PRIx32 " (%s), CR2 = 0x%08" PRIx32 "\n", f.error_code,
          quiz_ec_bits(f.error_code, bits, sizeof bits), it->answer.cr2);
}

static void print_final(const quiz_t *q, const quiz_item *it, FILE *out) {
  if (it->answer.outcome == PMMU_OK)
    fprintf(out, " -> PA 0x%0*" PRIx64 "\n", quiz_pa_digits(q), it->answer.pa);
  else fprintf(out, " -> #PF, error code 0x%" PRIx32 "\n", it->answer.error_code);
}

void quiz_print(const quiz_t *q, quiz_view view, bool decoded, FILE *out) {
  quiz_print_heading(q, "", out);
  fprintf(out, "\n");
  quiz_print_world(q, decoded, false, out);
  fprintf(out,
          "\nTranslate each access (access, privilege, linear address) to a physical address,\n"
          "or give the page fault's error code:\n");
  for (unsigned n = 1; n <= q->n_items; n++) {
    if (view == QUIZ_VIEW_SOLVE && n > 1) fprintf(out, "\n");
    quiz_print_item_line(q, n, out);
    if (view == QUIZ_VIEW_REVEAL) {
      print_final(q, &q->item[n - 1], out);
      continue;
    }
    fprintf(out, "\n");
    if (view == QUIZ_VIEW_SOLVE) print_solution(q, &q->item[n - 1], out);
  }
}
