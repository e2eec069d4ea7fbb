/*
 * The one formatting of lockstep differences (engine.h, "Lockstep: differences as data"):
 * `pmmu run`, `pmmu cosim`, `pmmu sim`, `pmmu check-trace` and pmmu_directed print the
 * engine's records here. Values are shown as people read them: results by name (`ok`, `#PF`,
 * `bus error`; the TLB use as `hit`/`miss`/`off`), cycles in decimal, addresses and entry
 * values in hex. The text is read back by waves/pmmu_waves.c (the header line, the field
 * column, the decimal cycles of the accept/response rows and the "@present/accept/response"
 * cycles of memory accesses, and the reproduce line): keep them. The DPI scoreboard
 * (model/dpi/pmmu_dpi.c) writes the same table on its own, and check-dpi compares the two.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

#define ROW "  %-22s %-36s %s\n"

engine_mismatch *engine_mismatch_append(engine_mismatch **v, size_t *n, size_t *cap,
                                        const engine_mismatch *proto, const char *field) {
  if (*n == *cap) {
    size_t grown_cap = *cap ? 2 * *cap : 16;
    engine_mismatch *grown = realloc(*v, grown_cap * sizeof *grown);
    if (!grown) return NULL;
    *v = grown;
    *cap = grown_cap;
  }
  engine_mismatch *m = &(*v)[(*n)++];
  *m = *proto;
  m->field = field;
  return m;
}

/* "rd32 0x000100004 = 0x1003 @5/6/8", "(none)": one memory access as the tables show it. */
static void engine_describe_txn(const pmmu_mem_txn *t, char *buf, size_t len) {
  if (!t) {
    snprintf(buf, len, "(none)");
    return;
  }
  snprintf(buf, len, "%s%u 0x%09" PRIx64 " %s0x%" PRIx64 "%s @%" PRIu64 "/%" PRIu64 "/%" PRIu64,
           t->op == PMMU_MEM_CAS ? "cas" : "rd", t->size * 8, t->pa,
           t->op == PMMU_MEM_CAS ? "-> " : "= ", t->op == PMMU_MEM_CAS ? t->desired : t->data,
           t->bus_error ? " buserr" : "", t->present_cycle, t->accept_cycle, t->response_cycle);
}

/* How a scalar field's values read, from the field's name (the names engine.c and
 * txtrace_check.c give: "outcome", "tlb", "#GP(0)", "interrupt line ...", any name with
 * "cycle" in it; the rest are addresses, error codes and attributes). */
static void engine_describe_value(const char *field, uint64_t v, char *buf, size_t len) {
  if (strcmp(field, "outcome") == 0) {
    static const char *const names[] = {"ok", "#PF", "bus error"}; /* pmmu_outcome */
    if (v < 3) snprintf(buf, len, "%s", names[v]);
    else snprintf(buf, len, "outcome %" PRIu64 "?", v);
  } else if (strcmp(field, "tlb") == 0) {
    if (v <= PMMU_TLB_MISS) snprintf(buf, len, "%s", pmmu_tlb_use_name((pmmu_tlb_use)v));
    else snprintf(buf, len, "tlb %" PRIu64 "?", v);
  } else if (strcmp(field, "#GP(0)") == 0) {
    snprintf(buf, len, "%s", v ? "yes" : "no");
  } else if (strncmp(field, "interrupt line", 14) == 0) { /* also "interrupt line (R+1)" */
    snprintf(buf, len, "%s", v ? "high" : "low");
  } else if (strstr(field, "cycle")) {
    snprintf(buf, len, "%" PRIu64, v);
  } else {
    snprintf(buf, len, "0x%" PRIx64, v); /* addresses, error codes, attributes */
  }
}

static void header(FILE *f, const engine_mismatch *m) {
  if (m->op != ENGINE_DIFF_PDPTE_LOAD) {
    const pmmu_request *q = &m->req;
    fprintf(f,
            "lockstep mismatch at request %" PRIu64 " (%s %s%s 0x%08" PRIx32
            ", presented in cycle %" PRIu64 ")",
            m->request, pmmu_access_name(q->access), pmmu_priv_name(q->priv), q->ac ? " ac" : "",
            q->la, q->cycle);
    if (m->op == ENGINE_DIFF_INTERRUPT && m->irq_cycle) /* compared cycle by cycle */
      fprintf(f, ", the interrupt outputs in cycle %" PRIu64, m->irq_cycle);
    fprintf(f, ":\n");
  } else {
    fprintf(f, "lockstep mismatch at the PDPTE load of %s <- 0x%" PRIx64 " in cycle %" PRIu64 ":\n",
            engine_reg_name(m->reg), m->reg_value, m->cycle);
  }
  fprintf(f, ROW, "field", "model", "rtl");
}

static void row(FILE *f, const engine_mismatch *m) {
  char field[32], a[96], b[96];
  if (m->hang) { /* the model's response or done cycle, and the cycle the RTL gave up in */
    if (m->model) snprintf(a, sizeof a, "%" PRIu64, m->model);
    else snprintf(a, sizeof a, "-");
    snprintf(b, sizeof b, "(none by cycle %" PRIu64 ")", m->rtl);
    fprintf(f, ROW, m->field, a, b);
  } else if (m->txn) {
    snprintf(field, sizeof field, "%s %u", m->field, m->txn);
    engine_describe_txn(m->has_model_txn ? &m->model_txn : NULL, a, sizeof a);
    engine_describe_txn(m->has_rtl_txn ? &m->rtl_txn : NULL, b, sizeof b);
    fprintf(f, ROW, field, a, b);
  } else {
    engine_describe_value(m->field, m->model, a, sizeof a);
    engine_describe_value(m->field, m->rtl, b, sizeof b);
    fprintf(f, ROW, m->field, a, b);
  }
}

size_t engine_report_mismatches(FILE *f, const engine_mismatch *m, size_t n, const char *repro) {
  return engine_report_some(f, m, n, repro, SIZE_MAX);
}

size_t engine_report_some(FILE *f, const engine_mismatch *m, size_t n, const char *repro,
                          size_t max_reports) {
  size_t reports = 0;
  for (size_t i = 0; i < n && reports < max_reports; i++) {
    if (i == 0 || m[i].report != m[i - 1].report) header(f, &m[i]);
    row(f, &m[i]);
    if (i + 1 == n || m[i + 1].report != m[i].report) {
      fprintf(f, "  reproduce: %s\n", repro && repro[0] ? repro : "(no command recorded)");
      reports++;
    }
  }
  return reports;
}

size_t engine_report_pending(engine_t *e, FILE *f, const char *repro) {
  size_t n;
  const engine_mismatch *m = engine_mismatches(e, &n);
  size_t reports = engine_report_mismatches(f, m, n, repro);
  engine_clear_mismatches(e);
  return reports;
}

size_t engine_report_first(engine_t *e, FILE *f, const char *repro) {
  size_t n;
  const engine_mismatch *m = engine_mismatches(e, &n);
  size_t reports = engine_report_some(f, m, n, repro, 1);
  engine_clear_mismatches(e);
  return reports;
}
