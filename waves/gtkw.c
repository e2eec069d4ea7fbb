/* GTKWave save files (gtkw.h): the groups, the formats and the decoders of docs/waves.md. */
#define _GNU_SOURCE /* realpath */
#include "gtkw.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PMMU_WAVES_FILTER_DIR
#define PMMU_WAVES_FILTER_DIR "."
#endif
#ifndef PMMU_WAVES_DECODE_DIR
#define PMMU_WAVES_DECODE_DIR "."
#endif

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
                             {"u_walker.lvl_q", BIN, 0},
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

/* Names shown instead of the signal's own: a one-bit enum is drawn as a line, without its
 * names (GTKWave applies no translation to one bit), so its label says what high and low
 * mean; the PDPTE load's state_q would read like the walker's. GTKWave shows an alias with
 * brackets or dots shortened to its last part, hence none here. */
static const struct {
  const char *name, *alias;
} aliases[] = {{"u_walker.lvl_q", "lvl_q (1 L_PD, 0 L_PT)"}, {"u_pdpte.state_q", "pdpte_state_q"}};

static const char *alias_of(const char *name) {
  for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
    if (strcmp(aliases[i].name, name) == 0) return aliases[i].alias;
  return NULL;
}

static const group groups[] = {{"Translation port", port}, {"TLB", tlb},
                               {"Walker", walker},         {"Walk memory port", mem},
                               {"Fault interrupt", irq},   {"Control state", ctl}};

/* The bit ranges GTKWave needs in a vector's name ("req_la_i[31:0]"), read from the dump's
 * header (a VCD directly, an FST through fst2vcd, stopped at the end of the header). */
static char ranges[128][24];

static int sig_index(const char *full) {
  int k = 0;
  for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
    for (const sig *s = groups[g].sigs; s->name; s++, k++) {
      char want[256];
      snprintf(want, sizeof want, "pmmu.pmmu_top.%s", s->name);
      if (strcmp(want, full) == 0) return k;
    }
  return -1;
}

static void load_ranges(const char *dump, bool vcd) {
  memset(ranges, 0, sizeof ranges);
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
      char full[700];
      snprintf(full, sizeof full, "%s.%s", scope, d);
      int k = sig_index(full);
      if (k >= 0 && k < 128 && e[0] == '[') snprintf(ranges[k], sizeof ranges[k], "%.23s", e);
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

void gtkw_path_for(const char *dump, char *buf, size_t len) {
  const char *base = base_of(dump), *dot = strrchr(base, '.');
  size_t n = dot && dot != base ? (size_t)(dot - dump) : strlen(dump);
  snprintf(buf, len, "%.*s.gtkw", (int)n, dump);
}

void gtkw_open_command(const char *dump, char *buf, size_t len) {
  char save[PATH_MAX], dir[PATH_MAX], abs[PATH_MAX];
  gtkw_path_for(dump, save, sizeof save);
  dir_of(save, dir, sizeof dir);
  snprintf(buf, len, "cd '%s' && gtkwave '%s'", realpath(dir, abs) ? abs : dir, base_of(save));
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
  fprintf(f, "[*]   cd DIR && gtkwave %s\n", base_of(save));
  if (strcmp(rel_dump, ".") == 0) fprintf(f, "[dumpfile] \"%s\"\n", base_of(v->dump));
  else fprintf(f, "[dumpfile] \"%s/%s\"\n", rel_dump, base_of(v->dump));
  fprintf(f, "[timestart] %" PRId64 "\n", v->start > 0 ? v->start : 0);
  fprintf(f, "[size] 1400 800\n[pos] -1 -1\n");
  /* zoom (log2 of the scale), primary marker, then the named markers A..Z */
  int64_t primary = v->marker_div >= 0 ? v->marker_div : -1;
  fprintf(f, "*-3.000000 %" PRId64 " %" PRId64 " %" PRId64, primary, v->marker_accept,
          v->marker_div);
  for (int k = 2; k < 26; k++) fprintf(f, " -1");
  fprintf(f, "\n");
  if (v->marker_accept >= 0) fprintf(f, "[markername] Arequest accepted\n");
  if (v->marker_div >= 0) fprintf(f, "[markername] Bdivergence\n");
  fprintf(f, "[sst_expanded] 1\n[signals_width] 260\n[sst_width] 200\n");
  int k = 0;
  for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
    fprintf(f, "@800200\n-%s\n", groups[g].title);
    for (const sig *s = groups[g].sigs; s->name; s++, k++) {
      enum fmt fm = s->fmt;
      if (fm == NATIVE && v->vcd) fm = ENUM;
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
      const char *alias = alias_of(s->name);
      if (alias) fprintf(f, "+{%s} ", alias);
      fprintf(f, "pmmu.pmmu_top.%s%s\n", s->name, k < 128 ? ranges[k] : "");
    }
    fprintf(f, "@1000200\n-%s\n", groups[g].title);
  }
  fprintf(f, "[pattern_trace] 1\n[pattern_trace] 0\n");
  bool failed = ferror(f) != 0; /* a write that failed before the last flush */
  return fclose(f) == 0 && !failed ? 0 : -1;
}
