/* Runs scenarios and prints their results (scenario-format.md, "Output"). */
#include "run.h"
#include "tb_budget.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct runner {
  const scenario *s;
  engine_t *e;
  const run_options *opt;
  FILE *out;
  run_result *res;
  uint64_t now;   /* the cycle the next command starts in */
  uint64_t floor; /* the earliest cycle `at` may give an access or invlpg: the cycle of the last
                     response (T1, T6), or `now` after anything else */
  bool have_last;
  pmmu_response last;
  int status; /* the worst so far: TB_MISMATCH, TB_HANG or an error (which stops the run) */
  tb_error *err;
  pmmu_tlb_entry *tlb_before; /* --tlb-state: the TLB before the access, 4 KiB then large */
} runner;

/* ---- Formatting ------------------------------------------------------------------------ */

static void json_begin(runner *r, const scn_cmd *c, const char *op) {
  fprintf(r->out, "{\"line\":%u,", c->line);
  if (r->opt->name_file) fprintf(r->out, "\"file\":\"%s\",", r->s->path);
  fprintf(r->out, "\"op\":\"%s\"", op);
}

static bool printing(const runner *r) { return !r->opt->quiet; }

const char *scenario_entry_flags(uint64_t value, bool wide, char *buf, size_t len) {
  static const struct {
    uint64_t bit;
    const char *name;
  } flags[] = {{PMMU_PTE_P, "P"},  {PMMU_PTE_RW, "W"},    {PMMU_PTE_US, "U"},
               {PMMU_PTE_A, "A"},  {PMMU_PTE_D, "D"},     {PMMU_PTE_PS, "PS"},
               {PMMU_PTE_G, "G"},  {PMMU_PTE_PWT, "PWT"}, {PMMU_PTE_PCD, "PCD"},
               {PMMU_PTE_XD, "XD"}};
  size_t used = 0;
  buf[0] = '\0';
  if (!(value & PMMU_PTE_P)) {
    snprintf(buf, len, "not present");
    return buf;
  }
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
    if (!(value & flags[i].bit) || (flags[i].bit == PMMU_PTE_XD && !wide)) continue;
    int n = snprintf(buf + used, len - used, "%s%s", used ? " " : "", flags[i].name);
    if (n < 0 || (size_t)n >= len - used) break;
    used += (size_t)n;
  }
  return buf;
}

/* "pa 0x000801123" or "fault 0x5": the result of an access as `expect` spells it. */
static void describe_result(const pmmu_response *resp, char *buf, size_t len) {
  if (resp->outcome == PMMU_OK) snprintf(buf, len, "pa 0x%09" PRIx64, resp->pa);
  else if (resp->outcome == PMMU_PAGE_FAULT)
    snprintf(buf, len, "fault 0x%" PRIx32, resp->error_code);
  else snprintf(buf, len, "bus-error 0x%09" PRIx64, resp->bus_error_pa);
}

static void print_access(runner *r, const scn_cmd *c, const pmmu_response *resp) {
  const char *op = pmmu_access_name(c->access), *priv = pmmu_priv_name(c->priv);
  if (r->opt->json) {
    json_begin(r, c, op);
    fprintf(r->out, ",\"va\":\"0x%08" PRIx64 "\",\"priv\":\"%s\",\"ac\":%s", c->a, priv,
            c->ac ? "true" : "false");
    if (resp->outcome == PMMU_OK) fprintf(r->out, ",\"pa\":\"0x%09" PRIx64 "\"", resp->pa);
    else if (resp->outcome == PMMU_PAGE_FAULT)
      fprintf(r->out,
              ",\"fault\":{\"vector\":%d,\"ec\":\"0x%" PRIx32 "\",\"cr2\":\"0x%08" PRIx32 "\"}",
              PMMU_VECTOR_PF, resp->error_code, resp->cr2);
    else fprintf(r->out, ",\"bus_error\":{\"pa\":\"0x%09" PRIx64 "\"}", resp->bus_error_pa);
    fprintf(r->out, ",\"tlb\":\"%s\",\"cycles\":%" PRIu32 "}\n", pmmu_tlb_use_name(resp->tlb),
            resp->cycles);
    return;
  }
  char what[96], ec[96];
  if (resp->outcome == PMMU_OK) snprintf(what, sizeof what, "0x%09" PRIx64, resp->pa);
  else if (resp->outcome == PMMU_PAGE_FAULT)
    snprintf(what, sizeof what, "#PF ec=0x%" PRIx32 " (%s) cr2=0x%08" PRIx32, resp->error_code,
             pmmu_ec_describe(resp->error_code, ec, sizeof ec), resp->cr2);
  else snprintf(what, sizeof what, "bus error at 0x%09" PRIx64, resp->bus_error_pa);
  fprintf(r->out, "%5u  %-5s %-8s 0x%08" PRIx64 "%s -> %-40s %-4s %3" PRIu32 " cycles\n", c->line,
          op, priv, c->a, c->ac ? " ac" : "   ", what, pmmu_tlb_use_name(resp->tlb), resp->cycles);
}

static void print_dump(runner *r, const scn_cmd *c, unsigned size, uint64_t value) {
  const char *op = size == 4 ? "dump32" : "dump64";
  if (r->opt->json) {
    json_begin(r, c, op);
    fprintf(r->out, ",\"pa\":\"0x%09" PRIx64 "\",\"value\":\"0x%0*" PRIx64 "\"}\n", c->a,
            (int)size * 2, value);
    return;
  }
  char flags[96];
  uint64_t frame = value & (size == 4 ? UINT64_C(0xFFFFF000) : UINT64_C(0x0000000FFFFFF000));
  fprintf(r->out, "%5u  %s 0x%09" PRIx64 " = 0x%0*" PRIx64 "   frame 0x%09" PRIx64 "  %s\n",
          c->line, op, c->a, (int)size * 2, value, frame,
          scenario_entry_flags(value, size == 8, flags, sizeof flags));
}

static void print_expect(runner *r, const scn_cmd *c, bool ok, const char *want, const char *got) {
  if (r->opt->json) {
    json_begin(r, c, "expect");
    fprintf(r->out, ",\"ok\":%s,\"want\":\"%s\",\"got\":\"%s\"}\n", ok ? "true" : "false", want,
            got);
  } else if (ok) {
    fprintf(r->out, "%5u  expect %s: ok\n", c->line, want);
  } else {
    fprintf(r->out, "%5u  expect %s: FAILED, got %s\n", c->line, want, got);
  }
}

static void print_gp(runner *r, const scn_cmd *c, engine_reg reg) {
  if (r->opt->json) {
    json_begin(r, c, engine_reg_name(reg));
    fprintf(r->out, ",\"fault\":{\"vector\":%d,\"ec\":\"0x0\"}}\n", PMMU_VECTOR_GP);
  } else {
    fprintf(r->out,
            "%5u  %s write -> #GP(0): a present PDPTE has a reserved bit; nothing changed\n",
            c->line, engine_reg_name(reg));
  }
}

/* ---- The TLB's contents (--tlb-state) ------------------------------------------------ */

/* Slots of the model's TLB: the 4 KiB array's sets x ways, then the large array. */
static unsigned tlb_slots(const pmmu_config *c) { return c->tlb_sets * c->tlb_ways + c->tlb_large; }

static void tlb_snapshot(const pmmu_t *m, pmmu_tlb_entry *out) {
  const pmmu_config *c = pmmu_get_config(m);
  unsigned n = c->tlb_sets * c->tlb_ways;
  for (unsigned i = 0; i < tlb_slots(c); i++) {
    bool large = i >= n;
    if (pmmu_tlb_read(m, large, large ? 0 : i / c->tlb_ways, large ? i - n : i % c->tlb_ways,
                      &out[i]) != PMMU_E_OK ||
        !out[i].valid)
      memset(&out[i], 0, sizeof out[i]); /* invalid slots compare equal whatever they held */
  }
}

static bool tlb_same(const pmmu_tlb_entry *a, const pmmu_tlb_entry *b) {
  return a->valid == b->valid && a->vpn == b->vpn && a->page_shift == b->page_shift &&
         a->frame_pa == b->frame_pa && a->u == b->u && a->w == b->w && a->x == b->x &&
         a->d == b->d && a->g == b->g && a->attr == b->attr;
}

static void print_tlb_entry(FILE *out, const pmmu_tlb_entry *t) {
  if (!t->valid) {
    fputs("null", out);
    return;
  }
  const char *size = t->page_shift == 12 ? "4K" : t->page_shift == 21 ? "2M" : "4M";
  fprintf(out,
          "{\"la\":\"0x%08" PRIx64 "\",\"size\":\"%s\",\"frame\":\"0x%09" PRIx64
          "\",\"u\":%s,\"w\":%s,\"x\":%s,\"d\":%s,\"g\":%s}",
          (uint64_t)t->vpn << t->page_shift, size, t->frame_pa, t->u ? "true" : "false",
          t->w ? "true" : "false", t->x ? "true" : "false", t->d ? "true" : "false",
          t->g ? "true" : "false");
}

/* The slot of `i` as {"array":..,"set":..,"way":..}. */
static void print_tlb_slot(FILE *out, const pmmu_config *c, unsigned i) {
  unsigned n = c->tlb_sets * c->tlb_ways;
  if (i < n)
    fprintf(out, "\"array\":\"4K\",\"set\":%u,\"way\":%u", i / c->tlb_ways, i % c->tlb_ways);
  else fprintf(out, "\"array\":\"large\",\"set\":0,\"way\":%u", i - n);
}

/* The changes the access made (a fill: the slot now valid and different, with what it
 * evicted; drops: slots emptied) and the whole TLB after it. */
static void print_tlb_state(runner *r, const scn_cmd *c, const pmmu_tlb_entry *after) {
  const pmmu_config *cfg = pmmu_get_config(engine_model(r->e));
  const pmmu_tlb_entry *before = r->tlb_before;
  unsigned slots = tlb_slots(cfg), n = cfg->tlb_sets * cfg->tlb_ways;
  json_begin(r, c, "tlb-state");
  fprintf(r->out,
          ",\"sets\":%u,\"ways\":%u,\"large\":%u,\"policy\":\"%s\",\"fill\":", cfg->tlb_sets,
          cfg->tlb_ways, cfg->tlb_large, pmmu_policy_name(cfg->policy));
  bool filled = false;
  for (unsigned i = 0; i < slots && !filled; i++) {
    if (!after[i].valid || tlb_same(&before[i], &after[i])) continue;
    fputc('{', r->out);
    print_tlb_slot(r->out, cfg, i);
    fputs(",\"evicted\":", r->out);
    print_tlb_entry(r->out, &before[i]);
    fputc('}', r->out);
    filled = true;
  }
  if (!filled) fputs("null", r->out);
  fputs(",\"dropped\":[", r->out);
  for (unsigned i = 0, k = 0; i < slots; i++) {
    if (!before[i].valid || after[i].valid) continue;
    fprintf(r->out, "%s{", k++ ? "," : "");
    print_tlb_slot(r->out, cfg, i);
    fputc('}', r->out);
  }
  fputs("],\"entries\":{\"4K\":[", r->out);
  for (unsigned i = 0; i < n; i++) {
    fputs(i % cfg->tlb_ways ? "," : i ? "],[" : "[", r->out);
    print_tlb_entry(r->out, &after[i]);
  }
  fputs("]],\"large\":[", r->out);
  for (unsigned i = n; i < slots; i++) {
    if (i > n) fputc(',', r->out);
    print_tlb_entry(r->out, &after[i]);
  }
  fputs("]}}\n", r->out);
}

/* ---- Commands -------------------------------------------------------------------------- */

/* An engine operation's status: differences are printed as they are found; a hang or a
 * refusal ends the run. true when the operation's result may be used. */
static bool engine_status(runner *r, const scn_cmd *c, int st) {
  if (st == TB_MISMATCH || st == TB_HANG) {
    size_t n;
    const engine_mismatch *m = engine_mismatches(r->e, &n);
    if (n && !r->res->have_mismatch) {
      r->res->first_mismatch = m[0];
      r->res->have_mismatch = true;
    }
    if (r->opt->report) engine_report_pending(r->e, r->opt->report, r->opt->repro);
    else engine_clear_mismatches(r->e);
    if (r->status >= 0 && st > r->status) r->status = st;
    return st == TB_MISMATCH;
  }
  if (st < 0)
    r->status = tb_fail(r->err, st, "%s:%u: internal error: the engine refused the command (%s)",
                        scenario_display_name(r->s), c->line, tb_status_name(st));
  return st == TB_OK;
}

static bool stopped(const runner *r) { return r->status < 0 || r->status == TB_HANG; }

/* A timed command that cannot be given as the file says: bad input, found while running
 * (the cycles before it depend on the memory's timing), so the run stops there. */
static void timing_error(runner *r, const scn_cmd *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void timing_error(runner *r, const scn_cmd *c, const char *fmt, ...) {
  char what[TB_ERROR_MSG];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  r->status =
      tb_fail(r->err, TB_E_INPUT, "%s:%u: error: %s", scenario_display_name(r->s), c->line, what);
}

/* The cycle a command is given in: `at CYCLE`, which must not be before `min`, or r->now.
 * false (the run stops) when it is too early. */
static bool given_cycle(runner *r, const scn_cmd *c, uint64_t min, const char *what,
                        const char *why, uint64_t *cycle) {
  if (!c->timed) {
    *cycle = r->now;
    return true;
  }
  if (c->cycle < min) {
    timing_error(r, c, "%s at cycle %" PRIu64 " is too early: %s cycle %" PRIu64 " at the earliest",
                 what, c->cycle, why, min);
    return false;
  }
  *cycle = c->cycle;
  return true;
}

/* A register write in `cycle` (T8: after the last response); true when it ran a PDPTE load
 * (done or refused). */
static bool write_reg_at(runner *r, const scn_cmd *c, engine_reg reg, uint64_t value,
                         uint64_t cycle) {
  pmmu_reg_result res;
  if (!engine_status(r, c, engine_write_reg(r->e, reg, value, cycle, &res))) return false;
  if (res.gp_fault && printing(r)) print_gp(r, c, reg);
  r->now = res.done_cycle + 1;
  r->floor = r->now;
  return res.pdptes_loaded || res.gp_fault;
}

/* A register write; `next` is the command after it. A timed access right after a write may
 * be presented while the write's PDPTE load runs, from the write's own cycle on (T11: it waits
 * until D): it is armed before the load starts, so that the RTL sees req_valid in its cycle. */
static void write_reg(runner *r, const scn_cmd *c, const scn_cmd *next, engine_reg reg,
                      uint64_t value) {
  uint64_t cycle;
  if (!given_cycle(r, c, r->now, engine_reg_name(reg),
                   "a register write comes after the previous command ends (T8),", &cycle))
    return;
  bool early = next && next->kind == SCN_ACCESS && next->timed && next->cycle >= cycle;
  if (early) {
    pmmu_request req = {.la = (uint32_t)next->a,
                        .access = next->access,
                        .priv = next->priv,
                        .ac = next->ac,
                        .cycle = next->cycle};
    engine_present_during_load(r->e, &req);
  }
  if (write_reg_at(r, c, reg, value, cycle) && early) r->floor = cycle; /* the load ran */
}

static void run_set(runner *r, const scn_cmd *c) {
  uint64_t cycle; /* `at CYCLE set ...`: the first write in CYCLE, each next one after it */
  if (!given_cycle(r, c, r->now, "set",
                   "a register write comes after the previous command ends (T8),", &cycle))
    return;
  for (unsigned i = 0; i < c->count && !stopped(r); i++) {
    const scn_assign *a = &r->s->sets[c->first + i];
    scn_kind k = scenario_bit_register(a->bit);
    engine_reg reg = k == SCN_CR0 ? REG_CR0 : k == SCN_EFER ? REG_EFER : REG_CR4;
    uint64_t mask = scenario_bit_mask(a->bit), v = engine_read_reg(r->e, reg);
    write_reg_at(r, c, reg, a->value ? v | mask : v & ~mask, i ? r->now : cycle);
  }
}

/* An access, and the flush given during it (`at CYCLE flush ...` on the next line: `fc`). */
static void run_access(runner *r, const scn_cmd *c, const scn_cmd *fc) {
  uint64_t present;
  if (!given_cycle(r, c, r->floor, pmmu_access_name(c->access),
                   "a request comes in the cycle of the previous response (T1) or later,",
                   &present))
    return;
  pmmu_request req = {
      .la = (uint32_t)c->a, .access = c->access, .priv = c->priv, .ac = c->ac, .cycle = present};
  engine_flush fl = {0};
  if (fc) {
    /* T1: accepted in the first cycle it is ready in; the flush counts from the lookup, A + 1 */
    uint64_t ready = engine_ready_cycle(r->e);
    uint64_t lookup = (present > ready ? present : ready) + 1;
    if (fc->cycle < lookup) {
      timing_error(r, fc,
                   "flush at cycle %" PRIu64 " comes before the lookup cycle %" PRIu64
                   " of the access on line %u (T7: a flush during an access comes from A + 1 on)",
                   fc->cycle, lookup, c->line);
      return;
    }
    fl = (engine_flush){.kind = fc->flush_kind, .la = (uint32_t)fc->a, .after = 0};
    if (fc->cycle - lookup > UINT32_MAX) {
      timing_error(r, fc, "flush at cycle %" PRIu64 " is too far after its access", fc->cycle);
      return;
    }
    fl.after = (unsigned)(fc->cycle - lookup);
  }
  pmmu_t *m = r->tlb_before ? engine_model(r->e) : NULL;
  if (m) tlb_snapshot(m, r->tlb_before);
  int st = fc ? engine_translate_flush(r->e, &req, &fl, &r->last)
              : engine_translate(r->e, &req, &r->last);
  if (!engine_status(r, c, st)) return;
  r->have_last = true;
  r->res->accesses++;
  r->now = r->last.response_cycle + 1;
  r->floor = r->last.response_cycle;
  if (fc) {
    if (fl.cycle != fc->cycle) {
      r->status =
          tb_fail(r->err, TB_E_INVALID,
                  "%s:%u: internal error: the flush went in cycle %" PRIu64 ", not %" PRIu64,
                  scenario_display_name(r->s), fc->line, fl.cycle, fc->cycle);
      return;
    }
    if (fl.cycle + 1 > r->now) r->now = fl.cycle + 1;
    if (fl.cycle + 1 > r->floor) r->floor = fl.cycle + 1;
  }
  if (printing(r)) print_access(r, c, &r->last);
  if (m) {
    pmmu_tlb_entry *after = r->tlb_before + tlb_slots(pmmu_get_config(m));
    tlb_snapshot(m, after);
    print_tlb_state(r, c, after);
  }
}

/* Every poke given so far lands before the testbench reads memory (engine_land_pokes). */
static bool land_pokes(runner *r, const scn_cmd *c) {
  if (engine_land_pokes(r->e) == TB_OK) return true;
  r->status = tb_fail(r->err, engine_error(r->e)->code, "%s:%u: error: %s",
                      scenario_display_name(r->s), c->line, engine_error(r->e)->msg);
  return false;
}

static void run_expect(runner *r, const scn_cmd *c) {
  char want[96], got[96];
  bool ok;
  const pmmu_response *last = &r->last;
  switch (c->kind) {
  case SCN_EXPECT_PA:
  case SCN_EXPECT_FAULT:
    describe_result(last, got, sizeof got);
    if (c->kind == SCN_EXPECT_PA) {
      snprintf(want, sizeof want, "pa 0x%09" PRIx64, c->a);
      ok = last->outcome == PMMU_OK && last->pa == c->a;
    } else {
      snprintf(want, sizeof want, "fault 0x%" PRIx64, c->a);
      ok = last->outcome == PMMU_PAGE_FAULT && last->error_code == c->a;
    }
    break;
  case SCN_EXPECT_BUS_ERROR:
    describe_result(last, got, sizeof got);
    snprintf(want, sizeof want, "bus-error 0x%09" PRIx64, c->a);
    ok = last->outcome == PMMU_BUS_ERROR && last->bus_error_pa == c->a;
    break;
  case SCN_EXPECT_HIT:
  case SCN_EXPECT_MISS:
    snprintf(want, sizeof want, "%s", c->kind == SCN_EXPECT_HIT ? "hit" : "miss");
    snprintf(got, sizeof got, "%s", pmmu_tlb_use_name(last->tlb));
    ok = strcmp(want, got) == 0;
    break;
  default: { /* SCN_EXPECT_MEM32 / SCN_EXPECT_MEM64 */
    unsigned size = c->kind == SCN_EXPECT_MEM32 ? 4 : 8;
    if (!land_pokes(r, c)) return;
    uint64_t v = engine_mem_read(r->e, c->a, size);
    snprintf(want, sizeof want, "mem%u 0x%09" PRIx64 " 0x%0*" PRIx64, size * 8, c->a, (int)size * 2,
             c->b);
    snprintf(got, sizeof got, "mem%u 0x%09" PRIx64 " 0x%0*" PRIx64, size * 8, c->a, (int)size * 2,
             v);
    ok = v == c->b;
  }
  }
  r->res->expects++;
  if (!ok && !r->res->failed++) {
    r->res->first_failed_line = c->line;
    snprintf(r->res->first_failed_want, sizeof r->res->first_failed_want, "%s", want);
    snprintf(r->res->first_failed_got, sizeof r->res->first_failed_got, "%s", got);
  }
  if (printing(r)) print_expect(r, c, ok, want, got);
}

static void run_invlpg(runner *r, const scn_cmd *c) {
  uint64_t cycle;
  if (!given_cycle(r, c, r->floor, "invlpg",
                   "a flush command comes in the cycle of the previous response (T6) or later,",
                   &cycle))
    return;
  engine_status(r, c, engine_invlpg(r->e, (uint32_t)c->a, cycle));
  r->now = cycle + 1;
  r->floor = r->now;
}

/* ack and poke: given in their cycle, which the engine checks (engine_ack, engine_poke). */
static void run_ack_poke(runner *r, const scn_cmd *c) {
  int st = c->kind == SCN_ACK
               ? engine_ack(r->e, c->cycle)
               : engine_poke(r->e, c->cycle, c->a, c->kind == SCN_POKE32 ? 4 : 8, c->b);
  if (st == TB_OK) return;
  if (st == TB_E_ORDER || st == TB_E_UNAVAILABLE) {
    timing_error(r, c, "%s", engine_error(r->e)->msg);
    return;
  }
  r->status = tb_fail(r->err, st, "%s:%u: error: %s", scenario_display_name(r->s), c->line,
                      engine_error(r->e)->msg);
}

static void run_command(runner *r, const scn_cmd *c, const scn_cmd *next) {
  switch (c->kind) {
  case SCN_CR0: write_reg(r, c, next, REG_CR0, c->a); break;
  case SCN_CR3: write_reg(r, c, next, REG_CR3, c->a); break;
  case SCN_CR4: write_reg(r, c, next, REG_CR4, c->a); break;
  case SCN_EFER: write_reg(r, c, next, REG_EFER, c->a); break;
  case SCN_SET: run_set(r, c); break;
  case SCN_MEM32:
  case SCN_MEM64:
    if (engine_mem_write(r->e, c->a, c->kind == SCN_MEM32 ? 4 : 8, c->b) != TB_OK)
      r->status = tb_fail(r->err, engine_error(r->e)->code, "%s:%u: error: %s",
                          scenario_display_name(r->s), c->line, engine_error(r->e)->msg);
    break;
  case SCN_DUMP32:
  case SCN_DUMP64: {
    unsigned size = c->kind == SCN_DUMP32 ? 4 : 8;
    if (land_pokes(r, c) && printing(r)) print_dump(r, c, size, engine_mem_read(r->e, c->a, size));
    break;
  }
  case SCN_ACCESS: run_access(r, c, next && next->kind == SCN_FLUSH ? next : NULL); break;
  case SCN_FLUSH: break; /* given during the access before it */
  case SCN_INVLPG: run_invlpg(r, c); break;
  case SCN_ACK:
  case SCN_POKE32:
  case SCN_POKE64: run_ack_poke(r, c); break;
  default: run_expect(r, c); break;
  }
}

engine_setup scenario_engine_setup(const scenario *s) {
  engine_setup setup = {.tlb_sets = s->tlb_sets,
                        .tlb_ways = s->tlb_ways,
                        .tlb_large = s->tlb_large,
                        .policy = s->policy,
                        .timing = s->timing};
  return setup;
}

/* A register write, an access or an INVLPG (memory writes, dumps and expectations take none). */
static bool takes_cycles(const scn_cmd *c) {
  switch (c->kind) {
  case SCN_CR0:
  case SCN_CR3:
  case SCN_CR4:
  case SCN_EFER:
  case SCN_SET:
  case SCN_ACCESS:
  case SCN_INVLPG: return true;
  default: return false;
  }
}

int scenario_run(const scenario *s, engine_t *e, const run_options *opt, FILE *out,
                 run_result *result, tb_error *err) {
  memset(result, 0, sizeof *result);
  runner r = {.s = s, .e = e, .opt = opt, .out = out, .res = result, .err = err};
  pmmu_t *m = engine_model(e);
  if (opt->tlb_state && opt->json && !opt->quiet && m) {
    /* two snapshots: before and after each access */
    r.tlb_before = calloc(2 * (size_t)tlb_slots(pmmu_get_config(m)), sizeof *r.tlb_before);
    if (!r.tlb_before) return tb_fail(err, TB_E_NOMEM, "%s: out of memory", s->path);
  }
  for (unsigned i = 0; i < s->n_cmds && !stopped(&r); i++) {
    /* --max-cycles, --timeout, a stop signal: before an operation that takes cycles (the
     * expectations of the last one are still checked) */
    const scn_cmd *c = &s->cmds[i];
    if (takes_cycles(c) && tb_budget_spent(c->timed && c->cycle > r.now ? c->cycle : r.now)) {
      result->stopped = true;
      break;
    }
    run_command(&r, &s->cmds[i], i + 1 < s->n_cmds ? &s->cmds[i + 1] : NULL);
  }
  free(r.tlb_before);
  result->cycles = r.now;
  if (r.status == TB_OK && result->failed) return TB_EXPECT;
  return r.status;
}
