/* The directed lockstep programs' common rig: see rig.h. */
#include "rig.h"

#include <stdlib.h>
#include <string.h>

engine_kind rig_kind = ENGINE_MODEL;
const char *rig_mutant;
unsigned rig_failures, rig_checks;
static char repro[256]; /* the command line, for the mismatch reports */

bool rig_args(int argc, char **argv) {
  if (argc > 3 || (argc > 1 && !engine_kind_parse(argv[1], &rig_kind))) return false;
  if (argc > 2) rig_mutant = argv[2];
  const char *name = strrchr(argv[0], '/');
  snprintf(repro, sizeof repro, "%s %s%s%s", name ? name + 1 : argv[0], engine_kind_name(rig_kind),
           rig_mutant ? " " : "", rig_mutant ? rig_mutant : "");
  return true;
}

void rig_poke(rig *r, uint64_t pa, unsigned size, uint64_t value) {
  if (engine_mem_write(r->e, pa, size, value) != TB_OK) {
    printf("cannot write memory: %s\n", engine_error(r->e)->msg);
    exit(2);
  }
}

/* The page tables, fresh: every A and D bit clear. */
static void tables(rig *r) {
  rig_poke(r, DIR + 4 * 1, 4, TABLE | PWU);
  for (unsigned n = 0; n < 4; n++) rig_poke(r, TABLE + 4 * n, 4, (0x100000u + n * 0x1000u) | PWU);
  rig_poke(r, DIR + 4 * 2, 4, 0x01000000u | 0x80u | PWU);
  rig_poke(r, DIR + 4 * 3, 4, 0);
  rig_poke(r, PDPT, 8, PAE_DIR | 1u);
  for (unsigned i = 1; i < 4; i++) rig_poke(r, PDPT + 8 * i, 8, 0);
  rig_poke(r, PAE_DIR + 8 * 2, 8, PAE_TABLE | PWU);
  rig_poke(r, PAE_TABLE, 8, 0x200000u | PWU);
}

bool rig_ok(rig *r, int st, const char *what) {
  engine_report_pending(r->e, stdout, repro);
  if (engine_accepted(st)) return true;
  printf("FAIL: %s: %s (%s)\n", what, tb_status_name(st), engine_error(r->e)->msg);
  rig_failures++;
  return false;
}

void rig_boot(rig *r, uint64_t c) {
  rig_ok(r, engine_write_reg(r->e, REG_CR3, DIR, c, NULL), "CR3");
  rig_ok(r, engine_write_reg(r->e, REG_CR4, PMMU_CR4_PSE, c + 1, NULL), "CR4");
  r->now = c + 2;
}

rig rig_make(void) {
  engine_setup s = {.tlb_sets = 16, .tlb_ways = 4, .tlb_large = 8, .policy = PMMU_POLICY_PLRU};
  pmem_timing_init(&s.timing);
  tb_error err;
  rig r = {.e = engine_create_mutant(rig_kind, &s, rig_mutant, &err)};
  if (!r.e) {
    printf("cannot make the engine: %s\n", err.msg);
    exit(2);
  }
  tables(&r);
  rig_boot(&r, 0);
  return r;
}

pmmu_response rig_access(rig *r, uint32_t la, pmmu_access acc, pmmu_priv priv) {
  pmmu_request q = {.la = la, .access = acc, .priv = priv, .cycle = r->now};
  pmmu_response out;
  memset(&out, 0, sizeof out);
  if (!rig_ok(r, engine_translate(r->e, &q, &out), "request")) return out;
  r->now = out.response_cycle + 1;
  return out;
}

void rig_finish(rig *r) {
  rig_ok(r, engine_finish(r->e), "finish");
  CHECK(engine_mismatch_count(r->e) == 0, "%" PRIu64 " lockstep mismatches",
        engine_mismatch_count(r->e));
  CHECK(engine_rtl_errors(r->e) == 0, "%d RTL assertion failures", engine_rtl_errors(r->e));
  engine_destroy(r->e);
}
