/* The engines behind engine.h. The model engine is the C reference model over a pmem. */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct engine {
  engine_kind kind;
  pmem_t *mem;
  pmmu_t *model;
};

static const char *const kind_names[] = {"model", "rtl", "both"};

bool engine_kind_parse(const char *name, engine_kind *out) {
  for (unsigned i = 0; i <= ENGINE_BOTH; i++) {
    if (strcmp(name, kind_names[i]) == 0) {
      *out = (engine_kind)i;
      return true;
    }
  }
  return false;
}

const char *engine_kind_name(engine_kind k) { return kind_names[k]; }

const char *engine_reg_name(engine_reg r) {
  static const char *const names[] = {"cr0", "cr3", "cr4", "efer"};
  return names[r];
}

static pmmu_t *make_model(const engine_setup *setup, pmem_t *mem, char *why, size_t why_len) {
  pmmu_config cfg;
  pmmu_config_init(&cfg);
  cfg.tlb_sets = setup->tlb_sets;
  cfg.tlb_ways = setup->tlb_ways;
  cfg.tlb_large = setup->tlb_large;
  cfg.policy = setup->policy;
  cfg.mem = pmem_ops(mem);
  const char *bad = pmmu_config_check(&cfg);
  if (bad) {
    snprintf(why, why_len, "%s", bad);
    return NULL;
  }
  pmmu_t *m = pmmu_create(&cfg);
  if (!m) snprintf(why, why_len, "out of memory");
  return m;
}

engine_t *engine_create(engine_kind kind, const engine_setup *setup, char *why, size_t why_len) {
  if (kind != ENGINE_MODEL) {
    snprintf(why, why_len, "the %s engine is not built into this pmmu", engine_kind_name(kind));
    return NULL;
  }
  engine_t *e = calloc(1, sizeof *e);
  if (!e || !(e->mem = pmem_create())) {
    free(e);
    snprintf(why, why_len, "out of memory");
    return NULL;
  }
  e->kind = kind;
  pmem_set_timing(e->mem, &setup->timing);
  e->model = make_model(setup, e->mem, why, why_len);
  if (!e->model) {
    engine_destroy(e);
    return NULL;
  }
  return e;
}

void engine_destroy(engine_t *e) {
  if (!e) return;
  pmmu_destroy(e->model);
  pmem_destroy(e->mem);
  free(e);
}

int engine_translate(engine_t *e, const pmmu_request *req, pmmu_response *out) {
  return pmmu_translate(e->model, req, out);
}

int engine_translate_flush(engine_t *e, const pmmu_request *req, engine_flush *flush,
                           pmmu_response *out) {
  int err = pmmu_translate(e->model, req, out);
  if (err) return err;
  flush->cycle = out->accept_cycle + 1 + flush->after;
  return pmmu_flush(e->model, flush->kind, flush->la, flush->cycle);
}

int engine_write_reg(engine_t *e, engine_reg reg, uint64_t value, uint64_t cycle,
                     pmmu_reg_result *out) {
  switch (reg) {
  case REG_CR0: return pmmu_write_cr0(e->model, (uint32_t)value, cycle, out);
  case REG_CR3: return pmmu_write_cr3(e->model, (uint32_t)value, cycle, out);
  case REG_CR4: return pmmu_write_cr4(e->model, (uint32_t)value, cycle, out);
  case REG_EFER: return pmmu_write_efer(e->model, value, cycle, out);
  }
  return PMMU_E_INVALID;
}

int engine_invlpg(engine_t *e, uint32_t la, uint64_t cycle) {
  return pmmu_invlpg(e->model, la, cycle);
}

uint64_t engine_ready_cycle(const engine_t *e) { return pmmu_ready_cycle(e->model); }

bool engine_mem_write(engine_t *e, uint64_t pa, unsigned size, uint64_t value) {
  return pmem_write(e->mem, pa, size, value);
}

uint64_t engine_mem_read(const engine_t *e, uint64_t pa, unsigned size) {
  return pmem_read(e->mem, pa, size);
}

pmmu_t *engine_model(engine_t *e) { return e->model; }

uint64_t engine_read_reg(const engine_t *e, engine_reg reg) {
  pmmu_control ctl;
  pmmu_get_control(e->model, &ctl);
  switch (reg) {
  case REG_CR0: return ctl.cr0;
  case REG_CR3: return ctl.cr3;
  case REG_CR4: return ctl.cr4;
  case REG_EFER: return ctl.efer;
  }
  return 0;
}
