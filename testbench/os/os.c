/* The testbench operating system (os.h, docs/os.md): its configuration, boot and shutdown.
 * The kernel's parts are in os_*.c; os_internal.h is what they share. */
#include "os_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- Configuration, deliberate bugs, file contents, errors ------------------------------ */

static const char *const bug_names[] = {"none",          "cow-no-copy",   "swap-no-write",
                                        "no-invlpg",     "text-writable", "kernel-user",
                                        "no-area-check", "lib-private",   "no-frame-limit"};

bool os_bug_parse(const char *name, os_bug *out) {
  for (unsigned i = 0; i < sizeof bug_names / sizeof bug_names[0]; i++)
    if (strcmp(name, bug_names[i]) == 0) {
      *out = (os_bug)i;
      return true;
    }
  return false;
}

const char *os_bug_name(os_bug b) { return bug_names[b]; }

void os_config_init(os_config *c) {
  memset(c, 0, sizeof *c);
  c->frames = 1024;
  c->swap_slots = 65536;
  c->text_pages = 64;
  c->data_pages = 16;
  c->heap_pages = 512;
  c->lib_pages = 128;
  c->stack_pages = 256;
  c->shadow = true;
  c->check_every = 0;
  c->segv_print_limit = 10;
  c->log = NULL;
}

static uint64_t mix64(uint64_t z) {
  z += UINT64_C(0x9E3779B97F4A7C15);
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

uint32_t os_file_word(unsigned file, uint32_t page, uint32_t word) {
  return (uint32_t)mix64(((uint64_t)file << 40) | ((uint64_t)page << 12) | word);
}

const char *os_ec_text(uint32_t ec, char *buf, size_t len) {
  snprintf(buf, len, "%s %s, %s", (ec & PMMU_EC_US) ? "user" : "kernel",
           (ec & PMMU_EC_ID)   ? "fetch"
           : (ec & PMMU_EC_WR) ? "write"
                               : "read",
           (ec & PMMU_EC_RSVD) ? "reserved bit set"
           : (ec & PMMU_EC_P)  ? "protection violation"
                               : "page not present");
  return buf;
}

void kern_fatal(os_t *os, const char *what) {
  if (++os->st.kernel_errors <= 10) fprintf(logf_(os), "pmmu-sim: kernel error: %s\n", what);
}

os_event kern_event(os_event_kind kind, int pid, uint32_t va) {
  return (os_event){.kind = kind, .pid = pid, .va = va, .frame = -1, .old_frame = -1, .slot = -1};
}

void kern_emit(os_t *os, os_event *ev) {
  ev->access = os->accesses;
  ev->cycle = os->now;
  const proc *p = proc_of(os, ev->pid);
  ev->name = p ? p->name : "";
  os->cfg.event(os->cfg.event_ctx, os, ev);
}

engine_t *os_engine(const os_t *os) { return os->e; }

/* ---- Life cycle ----------------------------------------------------------------------------- */

os_t *os_create(engine_t *e, const os_config *cfg, char *why, size_t why_len) {
  if (cfg->frames < 4 || cfg->frames > OS_MAX_FRAMES) {
    snprintf(why, why_len, "the number of frames must be 4 .. %u", OS_MAX_FRAMES);
    return NULL;
  }
  if (cfg->swap_slots < 1 || cfg->swap_slots > (1u << 20)) {
    snprintf(why, why_len, "the swap area must be 1 .. 1048576 pages");
    return NULL;
  }
  if (!cfg->text_pages || !cfg->data_pages || !cfg->lib_pages || !cfg->stack_pages ||
      cfg->text_pages + cfg->data_pages + cfg->heap_pages > 0x20000u || cfg->lib_pages > 0x400u ||
      cfg->stack_pages > 0x1000u) {
    snprintf(why, why_len, "the area sizes do not fit the address space");
    return NULL;
  }
  os_t *os = calloc(1, sizeof *os);
  if (!os) goto oom;
  os->e = e;
  os->cfg = *cfg;
  os->current = -1;
  os->next_pid = 1;
  os->nframes = cfg->bug == OS_BUG_NO_FRAME_LIMIT ? cfg->frames * 4 : cfg->frames;
  if (os->nframes > OS_MAX_FRAMES) os->nframes = OS_MAX_FRAMES;
  os->fr = calloc(os->nframes, sizeof *os->fr);
  os->fr_free = calloc(os->nframes, sizeof *os->fr_free);
  os->pt_free = calloc(OS_PT_POOL_PAGES, sizeof *os->pt_free);
  os->sw = calloc(cfg->swap_slots, sizeof *os->sw);
  os->sw_free = calloc(cfg->swap_slots, sizeof *os->sw_free);
  os->lib_frame = calloc(cfg->lib_pages, sizeof *os->lib_frame);
  if (!os->fr || !os->fr_free || !os->pt_free || !os->sw || !os->sw_free || !os->lib_frame)
    goto oom;
  for (unsigned i = 0; i < os->nframes; i++) {
    os->fr[i].slot = -1;
    os->fr_free[os->fr_nfree++] = os->nframes - 1 - i; /* frame 0 first */
  }
  for (unsigned i = 0; i < OS_PT_POOL_PAGES; i++)
    os->pt_free[os->pt_nfree++] = OS_PT_POOL_PA + (OS_PT_POOL_PAGES - 1 - i) * OS_PAGE;
  for (unsigned i = 0; i < cfg->swap_slots; i++) {
    os->sw[i].frame = -1;
    os->sw_free[os->sw_nfree++] = cfg->swap_slots - 1 - i;
  }
  for (unsigned i = 0; i < cfg->lib_pages; i++) os->lib_frame[i] = -1;

  /* The boot: the kernel's own directory (the kernel area only), then paging with WP,
   * 4 MiB pages and global pages. */
  os->kernel_dir = kern_dir_alloc(os);
  pmmu_reg_result res;
  if (!engine_accepted(engine_write_reg(e, REG_CR0, PMMU_CR0_PG | PMMU_CR0_WP, 0, &res)) ||
      !engine_accepted(engine_write_reg(e, REG_CR4, PMMU_CR4_PSE | PMMU_CR4_PGE, 1, &res)) ||
      !engine_accepted(engine_write_reg(e, REG_CR3, os->kernel_dir, 2, &res))) {
    snprintf(why, why_len, "the engine refused the boot's control-register writes");
    os_destroy(os);
    return NULL;
  }
  os->now = 3;
  return os;
oom:
  snprintf(why, why_len, "out of memory");
  os_destroy(os);
  return NULL;
}

void os_destroy(os_t *os) {
  if (!os) return;
  for (unsigned i = 0; i < OS_MAX_PROCS; i++) {
    if (!os->procs[i]) continue;
    kern_shadow_free(os->procs[i]);
    free(os->procs[i]);
  }
  if (os->fr)
    for (unsigned i = 0; i < os->nframes; i++) free(os->fr[i].map);
  if (os->sw)
    for (unsigned i = 0; i < os->cfg.swap_slots; i++) free(os->sw[i].data);
  free(os->fr);
  free(os->fr_free);
  free(os->pt_free);
  free(os->sw);
  free(os->sw_free);
  free(os->lib_frame);
  free(os->pid_slot);
  free(os);
}
