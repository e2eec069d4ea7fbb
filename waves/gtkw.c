/* GTKWave save files (gtkw.h): the groups, the formats and the decoders of docs/waves.md. */
#define _GNU_SOURCE /* realpath */
#include "gtkw.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PMMU_WAVES_FILTER_DIR
#define PMMU_WAVES_FILTER_DIR "."
#endif
#ifndef PMMU_WAVES_DECODE_DIR
#define PMMU_WAVES_DECODE_DIR "."
#endif

/* The failure view's default window (the save file's [size]) and its names-and-values pane:
 * wide enough for "model_mem_resp_data[63:0]=frame 0x00002 P W U A - -- -". */
#define GTKW_FAIL_WIDTH 1800
#define GTKW_FAIL_HEIGHT 1000
#define GTKW_FAIL_NAMES 600
#define GTKW_CYCLE 10 /* dump time units per cycle (rtl/sim: 1 ns, 10 ns a cycle) */

/* How a trace is shown. */
enum fmt {
  BIN,    /* one bit */
  HEX,    /* a number */
  ENUM,   /* an RTL enumeration: translate filter file <type>.txt generated from rtl/ */
  NATIVE, /* an SV enum: its names from the FST, a filter file in a VCD */
  ENTRY,  /* a paging-structure entry: pmmu-decode-entry */
  EC      /* a #PF error code: pmmu-decode-ec */
};

typedef struct sig {
  const char *name; /* under pmmu.pmmu_top */
  enum fmt fmt;
  const char *type; /* ENUM, NATIVE: the filter file's name */
} sig;

typedef struct group {
  const char *title;
  const sig *sigs;
} group;

static const sig port[] = {{"clk_i", BIN, 0},
                           {"rst_ni", BIN, 0},
                           {"req_valid_i", BIN, 0},
                           {"req_ready_o", BIN, 0},
                           {"req_la_i", HEX, 0},
                           {"req_acc_i", ENUM, "acc_t"},
                           {"req_priv_i", ENUM, "priv_t"},
                           {"req_ac_i", BIN, 0},
                           {"resp_valid_o", BIN, 0},
                           {"resp_tlb_o", ENUM, "tlb_res_t"},
                           {"resp_pa_o", HEX, 0},
                           {"resp_fault_o", BIN, 0},
                           {"resp_ec_o", EC, 0},
                           {"resp_bus_err_o", BIN, 0},
                           {"resp_pwt_o", BIN, 0},
                           {"resp_pcd_o", BIN, 0},
                           {"resp_pat_o", BIN, 0},
                           {0, BIN, 0}};
static const sig tlb[] = {{"s1_valid_q", BIN, 0},
                          {"s1_la_q", HEX, 0},
                          {"lookup", BIN, 0},
                          {"hit", BIN, 0},
                          {"start", BIN, 0},
                          {"drop", BIN, 0},
                          {"u_tlb.lk_match_o", BIN, 0},
                          {"u_tlb.lk_entry_o", HEX, 0},
                          {"fill", BIN, 0},
                          {"u_tlb.fill_la_i", HEX, 0},
                          {"u_tlb.fill_entry_i", HEX, 0},
                          {"u_tlb.v4_q", HEX, 0},
                          {"u_tlb.vl_q", HEX, 0},
                          {0, BIN, 0}};
static const sig walker[] = {{"u_walker.state_q", NATIVE, "wstate_e"},
                             {"u_walker.lvl_q", NATIVE, "wlvl_e"},
                             {"u_walker.start_i", BIN, 0},
                             {"u_walker.la_i", HEX, 0},
                             {"u_walker.pde_q", ENTRY, 0},
                             {"u_walker.pte_q", ENTRY, 0},
                             {"u_walker.large_q", BIN, 0},
                             {"u_walker.done_o", BIN, 0},
                             {"u_walker.res_o", ENUM, "wres_t"},
                             {"u_walker.ec_o", EC, 0},
                             {"u_walker.pa_o", HEX, 0},
                             {"u_pdpte.state_q", NATIVE, "pstate_e"},
                             {0, BIN, 0}};
static const sig mem[] = {{"mem_req_valid_o", BIN, 0},
                          {"mem_req_ready_i", BIN, 0},
                          {"mem_req_op_o", ENUM, "mem_op_t"},
                          {"mem_req_size_o", ENUM, "mem_size_t"},
                          {"mem_req_pa_o", HEX, 0},
                          {"mem_req_expected_o", ENTRY, 0},
                          {"mem_req_new_o", ENTRY, 0},
                          {"mem_resp_valid_i", BIN, 0},
                          {"mem_resp_data_i", ENTRY, 0},
                          {"mem_resp_err_i", BIN, 0},
                          {0, BIN, 0}};
static const sig irq[] = {{"pf_irq_o", BIN, 0},
                          {"pf_cr2_o", HEX, 0},
                          {"pf_ec_o", EC, 0},
                          {"pf_ack_i", BIN, 0},
                          {0, BIN, 0}};
static const sig ctl[] = {{"cr0_pg_i", BIN, 0},
                          {"cr0_wp_i", BIN, 0},
                          {"cr3_i", HEX, 0},
                          {"cr4_pse_i", BIN, 0},
                          {"cr4_pae_i", BIN, 0},
                          {"cr4_pge_i", BIN, 0},
                          {"cr4_smep_i", BIN, 0},
                          {"cr4_smap_i", BIN, 0},
                          {"efer_nxe_i", BIN, 0},
                          {"flush_valid_i", BIN, 0},
                          {"flush_kind_i", ENUM, "flush_t"},
                          {"flush_la_i", HEX, 0},
                          {0, BIN, 0}};

/* The failure view (a save file with markers): the RTL's port and the model's expectation
 * for it on adjacent rows, in two groups that fit a default window with the groups above
 * (closed) under them. Names beginning "model_" are the model group's (scope `model`,
 * model.c); they are left out when the dump has none. */
static const sig fail_resp[] = {{"clk_i", BIN, 0},
                                {"req_valid_i", BIN, 0},
                                {"req_ready_o", BIN, 0},
                                {"model_req_accept", BIN, 0},
                                {"req_la_i", HEX, 0},
                                {"resp_valid_o", BIN, 0},
                                {"model_resp_valid", BIN, 0},
                                {"resp_tlb_o", ENUM, "tlb_res_t"},
                                {"model_resp_tlb", ENUM, "tlb_res_t"},
                                {"resp_pa_o", HEX, 0},
                                {"model_resp_pa", HEX, 0},
                                {"resp_fault_o", BIN, 0},
                                {"model_resp_fault", BIN, 0},
                                {"resp_ec_o", EC, 0},
                                {"model_resp_ec", EC, 0},
                                {"resp_bus_err_o", BIN, 0},
                                {"model_resp_bus_err", BIN, 0},
                                {0, BIN, 0}};
static const sig fail_mem[] = {{"mem_req_valid_o", BIN, 0},
                               {"model_mem_req_valid", BIN, 0},
                               {"mem_req_ready_i", BIN, 0},
                               {"mem_req_op_o", ENUM, "mem_op_t"},
                               {"model_mem_req_op", ENUM, "mem_op_t"},
                               {"mem_req_pa_o", HEX, 0},
                               {"model_mem_req_pa", HEX, 0},
                               {"mem_req_new_o", ENTRY, 0},
                               {"model_mem_req_new", ENTRY, 0},
                               {"mem_resp_valid_i", BIN, 0},
                               {"model_mem_resp_valid", BIN, 0},
                               {"mem_resp_data_i", ENTRY, 0},
                               {"model_mem_resp_data", ENTRY, 0},
                               {"mem_resp_err_i", BIN, 0},
                               {"model_mem_resp_err", BIN, 0},
                               {0, BIN, 0}};
/* Every signal of the model group (a view without a failure). */
static const sig model_all[] = {{"model_req_accept", BIN, 0},
                                {"model_resp_valid", BIN, 0},
                                {"model_resp_tlb", ENUM, "tlb_res_t"},
                                {"model_resp_pa", HEX, 0},
                                {"model_resp_fault", BIN, 0},
                                {"model_resp_ec", EC, 0},
                                {"model_resp_bus_err", BIN, 0},
                                {"model_mem_req_valid", BIN, 0},
                                {"model_mem_req_op", ENUM, "mem_op_t"},
                                {"model_mem_req_size", ENUM, "mem_size_t"},
                                {"model_mem_req_pa", HEX, 0},
                                {"model_mem_req_expected", ENTRY, 0},
                                {"model_mem_req_new", ENTRY, 0},
                                {"model_mem_resp_valid", BIN, 0},
                                {"model_mem_resp_data", ENTRY, 0},
                                {"model_mem_resp_err", BIN, 0},
                                {0, BIN, 0}};

static bool is_model(const char *name) { return strncmp(name, "model_", 6) == 0; }

/* Names shown instead of the signal's own: the PDPTE load's state_q would read like the
 * walker's. GTKWave shows an alias with brackets or dots shortened to its last part, hence
 * none here. */
static const struct {
  const char *name, *alias;
} aliases[] = {{"u_pdpte.state_q", "pdpte_state_q"}};

static const char *alias_of(const char *name) {
  for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
    if (strcmp(aliases[i].name, name) == 0) return aliases[i].alias;
  return NULL;
}

static const group groups[] = {{"Translation port", port}, {"TLB", tlb},
                               {"Walker", walker},         {"Walk memory port", mem},
                               {"Fault interrupt", irq},   {"Control state", ctl}};

/* The bit ranges GTKWave needs in a vector's name ("req_la_i[31:0]"), read from the dump's
 * header (a VCD directly, an FST through fst2vcd, stopped at the end of the header), for
 * every variable under pmmu.pmmu_top and model. */
#define MAX_VARS 4096
static struct {
  char name[96]; /* "u_walker.pde_q" (under pmmu.pmmu_top) or "model_resp_pa" */
  char range[24];
} vars[MAX_VARS];
static int nvars;

static const char *range_of(const char *name) {
  for (int i = 0; i < nvars; i++)
    if (strcmp(vars[i].name, name) == 0) return vars[i].range;
  return "";
}

static void load_ranges(const char *dump, bool vcd) {
  nvars = 0;
  FILE *f;
  char cmd[PATH_MAX + 64];
  if (vcd) {
    f = fopen(dump, "r");
  } else {
    snprintf(cmd, sizeof cmd, "fst2vcd -f '%s' 2>/dev/null", dump);
    f = popen(cmd, "r");
  }
  if (!f) return;
  char line[1024], scope[512] = "";
  while (fgets(line, sizeof line, f)) {
    char a[128], b[128], c[128], d[128], e[128];
    if (sscanf(line, " $scope %127s %127s", a, b) == 2) {
      size_t n = strlen(scope);
      snprintf(scope + n, sizeof scope - n, "%s%s", n ? "." : "", b);
    } else if (strncmp(line, "$upscope", 8) == 0 || strncmp(line, " $upscope", 9) == 0) {
      char *dot = strrchr(scope, '.');
      if (dot) *dot = '\0';
      else scope[0] = '\0';
    } else if (sscanf(line, " $var %127s %127s %127s %127s %127s", a, b, c, d, e) == 5) {
      const char *under = NULL;
      if (strncmp(scope, "pmmu.pmmu_top", 13) == 0 && (!scope[13] || scope[13] == '.'))
        under = scope[13] ? scope + 14 : "";
      else if (strcmp(scope, "model") == 0) under = "";
      if (under && e[0] == '[' && nvars < MAX_VARS) {
        snprintf(vars[nvars].name, sizeof vars[nvars].name, "%.30s%s%.60s", under,
                 *under ? "." : "", d);
        snprintf(vars[nvars].range, sizeof vars[nvars].range, "%.23s", e);
        nvars++;
      }
    } else if (strncmp(line, "$enddefinitions", 15) == 0) {
      break;
    }
  }
  if (vcd) fclose(f);
  else pclose(f);
}

/* GTKWave numbers its translate filter files: one number per file. */
static int filter_index(const char *type) {
  static const char *seen[32];
  for (int i = 0; i < 32; i++) {
    if (!seen[i]) seen[i] = type;
    if (strcmp(seen[i], type) == 0) return i + 1;
  }
  return 32;
}

/* `to` relative to the directory `from_dir` (both absolute, canonical). */
static void relative(const char *from_dir, const char *to, char *buf, size_t len) {
  size_t common = 0, i = 0;
  for (; from_dir[i] && to[i] && from_dir[i] == to[i]; i++)
    if (from_dir[i] == '/') common = i;
  if (!from_dir[i] && (to[i] == '/' || !to[i])) common = i; /* to is inside from_dir */
  else if (!to[i] && from_dir[i] == '/') common = i;
  size_t used = 0;
  buf[0] = '\0';
  for (const char *p = from_dir + common; *p; p++)
    if (*p == '/') used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "../");
  const char *rest = to + common;
  if (*rest == '/') rest++;
  snprintf(buf + used, used < len ? len - used : 0, "%s", *rest ? rest : ".");
}

static void dir_of(const char *path, char *buf, size_t len) {
  const char *slash = strrchr(path, '/');
  if (!slash) snprintf(buf, len, ".");
  else if (slash == path) snprintf(buf, len, "/");
  else snprintf(buf, len, "%.*s", (int)(slash - path), path);
}

static const char *base_of(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

/* FILE.gtkw beside FILE, its extension kept (w.fst.gtkw, w.vcd.gtkw): a VCD and an FST of
 * one base name each keep their own view (earlier versions wrote w.gtkw for both). */
void gtkw_path_for(const char *dump, char *buf, size_t len) { snprintf(buf, len, "%s.gtkw", dump); }

void gtkw_open_command(const char *dump, char *buf, size_t len) {
  char save[PATH_MAX], dir[PATH_MAX], abs[PATH_MAX];
  gtkw_path_for(dump, save, sizeof save);
  dir_of(save, dir, sizeof dir);
  snprintf(buf, len, "cd '%s' && gtkwave '%s'", realpath(dir, abs) ? abs : dir, base_of(save));
}

/* One group of traces, open or closed (a closed group shows as one row, its title). */
static void write_group(FILE *f, const gtkw_view *v, const char *title, const sig *sigs,
                        bool closed, const char *rel_filters, const char *rel_decode) {
  fprintf(f, "@%s\n-%s\n", closed ? "c00200" : "800200", title);
  for (const sig *s = sigs; s->name; s++) {
    if (is_model(s->name) && !v->model) continue;
    char full[160];
    snprintf(full, sizeof full, "%s%s", is_model(s->name) ? "model." : "pmmu.pmmu_top.", s->name);
    const char *range = range_of(s->name);
    enum fmt fm = s->fmt;
    if (fm == NATIVE && (v->vcd || !range[0])) fm = ENUM;
    switch (fm) {
    case BIN: fprintf(f, "@28\n"); break;
    case HEX: fprintf(f, "@22\n"); break;
    case NATIVE: fprintf(f, "@100000028\n"); break;
    case ENUM:
      fprintf(f, "@2022\n^%d %s/%s.txt\n", filter_index(s->type), rel_filters, s->type);
      break;
    case ENTRY: fprintf(f, "@4022\n^>1 %s/pmmu-decode-entry\n", rel_decode); break;
    case EC: fprintf(f, "@4022\n^>2 %s/pmmu-decode-ec\n", rel_decode); break;
    }
    const char *alias = alias_of(s->name), *leaf = strrchr(s->name, '.');
    leaf = leaf ? leaf + 1 : s->name;
    if ((fm == ENUM || fm == NATIVE) && !range[0]) {
      /* one bit: GTKWave draws it as a line and translates no value; as a vector of that one
       * bit (a bundle) it is drawn as a value, and the filter names it (MEM_READ, MEM_CAS) */
      fprintf(f, "#{%s} %s\n", alias ? alias : leaf, full);
    } else {
      if (alias) fprintf(f, "+{%s} ", alias);
      fprintf(f, "%s%s\n", full, range);
    }
  }
  fprintf(f, "@%s\n-%s\n", closed ? "1401200" : "1000200", title);
}

int gtkw_write(const gtkw_view *v, const char *out) {
  char save[PATH_MAX], dir[PATH_MAX], absdir[PATH_MAX], filters[PATH_MAX], decode[PATH_MAX];
  char rel_filters[PATH_MAX], rel_decode[PATH_MAX];
  if (out) snprintf(save, sizeof save, "%s", out);
  else gtkw_path_for(v->dump, save, sizeof save);
  dir_of(save, dir, sizeof dir);
  if (!realpath(dir, absdir)) return -1;
  if (!realpath(PMMU_WAVES_FILTER_DIR, filters))
    snprintf(filters, sizeof filters, "%s", PMMU_WAVES_FILTER_DIR);
  if (!realpath(PMMU_WAVES_DECODE_DIR, decode))
    snprintf(decode, sizeof decode, "%s", PMMU_WAVES_DECODE_DIR);
  relative(absdir, filters, rel_filters, sizeof rel_filters);
  relative(absdir, decode, rel_decode, sizeof rel_decode);
  /* the dump, relative to the save file */
  char dumpdir[PATH_MAX], absdump[PATH_MAX], rel_dump[PATH_MAX];
  dir_of(v->dump, dumpdir, sizeof dumpdir);
  if (!realpath(dumpdir, absdump)) return -1;
  relative(absdir, absdump, rel_dump, sizeof rel_dump);

  load_ranges(v->dump, v->vcd);
  FILE *f = fopen(save, "w");
  if (!f) return -1;
  fprintf(f, "[*] PMMU waveform view, written by pmmu (waves/gtkw.c; docs/waves.md).\n");
  fprintf(f, "[*] Open it from its own directory (translate filter paths are relative to it):\n");
  char named[PATH_MAX + 8]; /* its own name: `save` may be a temporary one */
  gtkw_path_for(v->dump, named, sizeof named);
  fprintf(f, "[*]   cd DIR && gtkwave %s\n", base_of(named));
  if (strcmp(rel_dump, ".") == 0) fprintf(f, "[dumpfile] \"%s\"\n", base_of(v->dump));
  else fprintf(f, "[dumpfile] \"%s/%s\"\n", rel_dump, base_of(v->dump));
  bool failure = v->marker_div >= 0;
  /* The window: a failure's view spans both markers with a few cycles either side (the
   * dump starts earlier: --waves-on-failure N), zoomed to fill the wave pane; a plain view
   * starts at the dump's first cycle. GTKWave's zoom z shows 2^-z time units per 200 pixels. */
  int width = failure ? GTKW_FAIL_WIDTH : 1400, height = failure ? GTKW_FAIL_HEIGHT : 800;
  int sst = failure ? 80 : 200, names = failure ? GTKW_FAIL_NAMES : 260;
  int64_t start = v->start > 0 ? v->start : 0;
  double zoom = -3.0;
  if (failure) {
    int64_t lo = v->marker_accept >= 0 && v->marker_accept < v->marker_div ? v->marker_accept
                                                                           : v->marker_div;
    int64_t hi = v->marker_accept > v->marker_div ? v->marker_accept : v->marker_div;
    lo -= 2 * GTKW_CYCLE;
    hi += 3 * GTKW_CYCLE;
    if (lo > start) start = lo;
    double pane = width - sst - names - 40; /* scroll bar and borders */
    zoom = -log2((double)(hi - start) * 200.0 / pane);
  }
  fprintf(f, "[timestart] %" PRId64 "\n", start);
  fprintf(f, "[size] %d %d\n[pos] -1 -1\n", width, height);
  /* zoom (log2 of the scale), primary marker, then the named markers A..Z */
  int64_t primary = v->marker_div >= 0 ? v->marker_div : -1;
  fprintf(f, "*%.6f %" PRId64 " %" PRId64 " %" PRId64, zoom, primary, v->marker_accept,
          v->marker_div);
  for (int k = 2; k < 26; k++) fprintf(f, " -1");
  fprintf(f, "\n");
  if (v->marker_accept >= 0) fprintf(f, "[markername] Arequest accepted\n");
  if (v->marker_div >= 0) fprintf(f, "[markername] Bdivergence\n");
  /* the tree of scopes folded away in a failure's view: the room goes to the names and their
   * values at the primary marker (the divergence) */
  fprintf(f, "[sst_expanded] %d\n[signals_width] %d\n[sst_width] %d\n", failure ? 0 : 1, names,
          sst);
  if (failure) {
    write_group(f, v, "Request and response: RTL, model", fail_resp, false, rel_filters,
                rel_decode);
    write_group(f, v, "Walk memory: RTL, model", fail_mem, false, rel_filters, rel_decode);
  } else if (v->model) {
    write_group(f, v, "Model (expected)", model_all, false, rel_filters, rel_decode);
  }
  for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
    write_group(f, v, groups[g].title, groups[g].sigs, failure, rel_filters, rel_decode);
  fprintf(f, "[pattern_trace] 1\n[pattern_trace] 0\n");
  bool failed = ferror(f) != 0; /* a write that failed before the last flush */
  return fclose(f) == 0 && !failed ? 0 : -1;
}
