/* The transaction-trace writer (txtrace.h, docs/spec/transaction-trace.md). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tb_file.h"
#include "txtrace.h"

struct txtrace_writer {
  tb_output *out; /* a temporary file renamed to the trace's path when complete (tb_file.h) */
  FILE *f;
  uint64_t last_cycle;
  tb_error failure; /* the first failure (code TB_OK while none) */
};

const char *txtrace_kind_name(txtrace_kind k) {
  static const char *const names[] = {"mem",  "reg",   "invlpg", "flush", "req", "walk",
                                      "resp", "pdpte", "irq",    "ack",   "end"};
  return names[k];
}

static const char *flush_name(pmmu_flush_kind k) {
  return k == PMMU_FLUSH_ALL ? "all" : k == PMMU_FLUSH_PAGE ? "page" : "nonglobal";
}

static const char *outcome_name(pmmu_outcome o) {
  return o == PMMU_OK ? "ok" : o == PMMU_PAGE_FAULT ? "pf" : "bus";
}

static const char *bool_name(bool b) { return b ? "true" : "false"; }

/* A JSON string's contents: the command line may hold quotes or backslashes. */
static void put_json_string(FILE *f, const char *s) {
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') fputc('\\', f);
    if ((unsigned char)*s < 0x20) fputc(' ', f);
    else fputc(*s, f);
  }
}

static void fail(txtrace_writer *w, const char *what) {
  if (w->failure.code == TB_OK) tb_fail(&w->failure, TB_E_IO, "%s", what);
}

txtrace_writer *txtrace_open(const char *path, const txtrace_config *cfg, const char *engine,
                             const char *command, tb_error *err) {
  txtrace_writer *w = calloc(1, sizeof *w);
  if (!w) {
    tb_fail(err, TB_E_NOMEM, "out of memory");
    return NULL;
  }
  if (!(w->out = tb_output_open(path, err))) {
    free(w);
    return NULL;
  }
  w->f = tb_output_stream(w->out);
  const pmem_timing *t = &cfg->timing;
  fprintf(w->f,
          "{\"format\":\"" TXTRACE_FORMAT "\",\"version\":%d,\"config\":{\"tlb_sets\":%u,"
          "\"tlb_ways\":%u,\"tlb_large\":%u,\"policy\":\"%s\",\"lfsr_seed\":\"0x%x\","
          "\"paging\":{\"pse\":true,\"pse36\":true,\"pat\":true,\"pge\":true,\"smep\":true,"
          "\"smap\":true,\"pae\":true,\"nx\":true},"
          "\"memory\":{\"latency_min\":%u,\"latency_max\":%u,\"wait_min\":%u,\"wait_max\":%u,"
          "\"bus_error_permille\":%u,\"seed\":\"0x%" PRIx64 "\"}},"
          "\"producer\":{\"tool\":\"pmmu " PMMU_VERSION_STRING "\",\"engine\":\"%s\"",
          TXTRACE_VERSION, cfg->tlb_sets, cfg->tlb_ways, cfg->tlb_large,
          pmmu_policy_name(cfg->policy), cfg->lfsr_seed, t->lat_min, t->lat_max, t->wait_min,
          t->wait_max, t->bus_error_permille, t->seed, engine);
  if (command) {
    fputs(",\"command\":\"", w->f);
    put_json_string(w->f, command);
    fputc('"', w->f);
  }
  if (fputs("}}\n", w->f) < 0) fail(w, strerror(errno));
  return w;
}

uint64_t txtrace_last_cycle(const txtrace_writer *w) { return w->last_cycle; }

static void put_walk(FILE *f, const pmmu_mem_txn *t) {
  fprintf(f,
          ",\"presented\":%" PRIu64 ",\"accepted\":%" PRIu64 ",\"op\":\"%s\",\"pa\":\"0x%09" PRIx64
          "\",\"size\":%u,\"data\":\"0x%" PRIx64 "\"",
          t->present_cycle, t->accept_cycle, t->op == PMMU_MEM_CAS ? "cas" : "read", t->pa, t->size,
          t->data);
  if (t->op == PMMU_MEM_CAS)
    fprintf(f, ",\"expected\":\"0x%" PRIx64 "\",\"desired\":\"0x%" PRIx64 "\"", t->expected,
            t->desired);
  fprintf(f, ",\"err\":%s", bool_name(t->bus_error));
}

static void put_resp(FILE *f, const txtrace_event *ev) {
  fprintf(f, ",\"outcome\":\"%s\"", outcome_name(ev->u.resp.outcome));
  if (ev->u.resp.outcome == PMMU_OK)
    fprintf(f, ",\"pa\":\"0x%09" PRIx64 "\",\"attr\":\"0x%x\"", ev->u.resp.pa, ev->u.resp.attr);
  if (ev->u.resp.outcome == PMMU_PAGE_FAULT) fprintf(f, ",\"ec\":\"0x%" PRIx32 "\"", ev->u.resp.ec);
  fprintf(f, ",\"tlb\":\"%s\"", pmmu_tlb_use_name(ev->u.resp.tlb));
}

static void put_event(FILE *f, const txtrace_event *ev) {
  static const char *const regs[] = {"cr0", "cr3", "cr4", "efer"};
  fprintf(f, "{\"ev\":\"%s\",\"cycle\":%" PRIu64, txtrace_kind_name(ev->kind), ev->cycle);
  switch (ev->kind) {
  case TXE_MEM:
    fprintf(f, ",\"pa\":\"0x%09" PRIx64 "\",\"size\":%u,\"value\":\"0x%" PRIx64 "\"", ev->u.mem.pa,
            ev->u.mem.size, ev->u.mem.value);
    break;
  case TXE_REG:
    fprintf(f, ",\"reg\":\"%s\",\"value\":\"0x%" PRIx64 "\"", regs[ev->u.reg.reg & 3],
            ev->u.reg.value);
    break;
  case TXE_INVLPG: fprintf(f, ",\"la\":\"0x%08" PRIx32 "\"", ev->u.flush.la); break;
  case TXE_FLUSH:
    fprintf(f, ",\"kind\":\"%s\"", flush_name(ev->u.flush.kind));
    if (ev->u.flush.kind == PMMU_FLUSH_PAGE)
      fprintf(f, ",\"la\":\"0x%08" PRIx32 "\"", ev->u.flush.la);
    break;
  case TXE_REQ:
    fprintf(f,
            ",\"presented\":%" PRIu64 ",\"la\":\"0x%08" PRIx32
            "\",\"access\":\"%s\",\"priv\":\"%s\",\"ac\":%s",
            ev->u.req.presented, ev->u.req.la, pmmu_access_name(ev->u.req.access),
            pmmu_priv_name(ev->u.req.priv), bool_name(ev->u.req.ac));
    break;
  case TXE_WALK: put_walk(f, &ev->u.walk); break;
  case TXE_RESP: put_resp(f, ev); break;
  case TXE_PDPTE: fprintf(f, ",\"gp\":%s", bool_name(ev->u.gp)); break;
  case TXE_IRQ:
    fprintf(f, ",\"line\":%s,\"cr2\":\"0x%08" PRIx32 "\",\"ec\":\"0x%" PRIx32 "\"",
            bool_name(ev->u.irq.pending), ev->u.irq.cr2, ev->u.irq.error_code);
    break;
  case TXE_ACK:
  case TXE_END: break;
  }
  fputs("}\n", f);
}

void txtrace_write(txtrace_writer *w, const txtrace_event *ev) {
  if (w->failure.code != TB_OK) return;
  if (ev->cycle < w->last_cycle) {
    char what[160];
    snprintf(what, sizeof what,
             "a '%s' event in cycle %" PRIu64 " after cycle %" PRIu64 " (a bug of the writer)",
             txtrace_kind_name(ev->kind), ev->cycle, w->last_cycle);
    fail(w, what);
    return;
  }
  w->last_cycle = ev->cycle;
  put_event(w->f, ev);
  if (ferror(w->f)) fail(w, strerror(errno));
}

void txtrace_abort(txtrace_writer *w) {
  if (!w) return;
  tb_output_abort(w->out);
  free(w);
}

int txtrace_close(txtrace_writer *w, uint64_t end_cycle, tb_error *err) {
  txtrace_event end = {.kind = TXE_END,
                       .cycle = end_cycle > w->last_cycle ? end_cycle : w->last_cycle};
  txtrace_write(w, &end);
  int st = w->failure.code;
  if (st != TB_OK) {
    tb_fail(err, st, "cannot write '%s': %s", tb_output_path(w->out), w->failure.msg);
    tb_output_abort(w->out);
  } else {
    st = tb_output_commit(w->out, err); /* flush, sync, close, rename: "cannot write 'PATH': WHY" */
  }
  free(w);
  return st;
}
