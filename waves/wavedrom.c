/*
 * pmmu-wavedrom: one request of a VCD dump of the PMMU RTL as a WaveDrom timing diagram
 * (JSON), for docs/waves-timing.md (waves/diagrams.sh; docs/waves.md).
 *
 *   pmmu-wavedrom DUMP.vcd FILTER_DIR REQUEST "TITLE"
 *
 * REQUEST: the request to show, 1 = the first accepted (req_valid & req_ready), -1 = the last.
 * The diagram runs from the cycle before it is accepted (A) to two cycles after its response
 * (R), one sample per cycle: the values the dump shows from the cycle's start (a multiple of
 * 10 ns) to the rising edge that ends it (docs/waves.md "Time base"). Enumerations are named through
 * the translate filter files generated from the RTL (FILTER_DIR/<type>.txt), entries and
 * error codes decoded as in GTKWave.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode_fmt.h"

enum kind { BIT, HEX, ENUMF, ENTRY, EC };

typedef struct sigdef {
  const char *path; /* under pmmu.pmmu_top */
  const char *label;
  enum kind kind;
  const char *type; /* ENUMF: filter file */
} sigdef;

static const sigdef sigs[] = {
    {"req_valid_i", "req_valid", BIT, 0},
    {"req_ready_o", "req_ready", BIT, 0},
    {"req_la_i", "req_la", HEX, 0},
    {"req_acc_i", "req_acc", ENUMF, "acc_t"},
    {"resp_valid_o", "resp_valid", BIT, 0},
    {"resp_tlb_o", "resp_tlb", ENUMF, "tlb_res_t"},
    {"resp_pa_o", "resp_pa", HEX, 0},
    {"resp_fault_o", "resp_fault", BIT, 0},
    {"resp_ec_o", "resp_ec", EC, 0},
    {"u_walker.state_q", "walker.state", ENUMF, "wstate_e"},
    {"u_walker.lvl_q", "walker.lvl", ENUMF, "wlvl_e"},
    {"mem_req_valid_o", "mem_req_valid", BIT, 0},
    {"mem_req_ready_i", "mem_req_ready", BIT, 0},
    {"mem_req_op_o", "mem_req_op", ENUMF, "mem_op_t"},
    {"mem_req_pa_o", "mem_req_pa", HEX, 0},
    {"mem_req_new_o", "mem_req_new", ENTRY, 0},
    {"mem_resp_valid_i", "mem_resp_valid", BIT, 0},
    {"mem_resp_data_i", "mem_resp_data", ENTRY, 0},
    {"pf_irq_o", "pf_irq", BIT, 0},
    {"pf_ec_o", "pf_ec", EC, 0},
};
#define NSIG (sizeof sigs / sizeof sigs[0])
#define MAXCYC 4096

typedef struct val {
  uint64_t v;
  bool x; /* any x/z bit */
} val;

static char ids[NSIG + 3][32]; /* + clk, req_valid/ready copies are in sigs */
static val cur[NSIG + 1];
static val samples[MAXCYC][NSIG];
static int ncyc;
static unsigned long long now = 1; /* the current dump time (ns); cycles start at multiples of 10 */

static int find_id(const char *id) {
  for (size_t i = 0; i < NSIG; i++)
    if (strcmp(ids[i], id) == 0) return (int)i;
  return -1;
}

static void set_value(const char *id, const char *bits) {
  int i = find_id(id);
  if (i < 0) return;
  val v = {0, false};
  for (const char *p = bits; *p; p++) {
    v.v <<= 1;
    if (*p == '1') v.v |= 1;
    else if (*p != '0') v.x = true;
  }
  cur[i] = v;
}

static void sample(void) {
  if (ncyc < MAXCYC) memcpy(samples[ncyc++], cur, sizeof samples[0]);
}

static void load_filter(const char *dir, const char *type, uint64_t v, char *out, size_t len) {
  char path[1024], line[256];
  snprintf(path, sizeof path, "%s/%s.txt", dir, type);
  FILE *f = fopen(path, "r");
  snprintf(out, len, "%llx", (unsigned long long)v);
  if (!f) return;
  while (fgets(line, sizeof line, f)) {
    char name[128];
    unsigned long long k;
    if (sscanf(line, "%llx %127s", &k, name) == 2 && k == v) {
      snprintf(out, len, "%s", name);
      break;
    }
  }
  fclose(f);
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: pmmu-wavedrom DUMP.vcd FILTER_DIR REQUEST TITLE\n");
    return 2;
  }
  FILE *f = fopen(argv[1], "r");
  if (!f) {
    perror(argv[1]);
    return 2;
  }
  long request = strtol(argv[3], NULL, 0);
  char scope[1024] = "", line[4096];
  bool defs = true;
  while (fgets(line, sizeof line, f)) {
    char *p = line;
    while (isspace((unsigned char)*p)) p++;
    if (defs) {
      char a[256], b[256], c[256], d[256];
      if (sscanf(p, "$scope %255s %255s", a, b) == 2) {
        size_t n = strlen(scope);
        snprintf(scope + n, sizeof scope - n, "%s%s", n ? "." : "", b);
      } else if (strncmp(p, "$upscope", 8) == 0) {
        char *dot = strrchr(scope, '.');
        if (dot) *dot = '\0';
        else scope[0] = '\0';
      } else if (sscanf(p, "$var %255s %255s %255s %255s", a, b, c, d) == 4) {
        char full[1400];
        snprintf(full, sizeof full, "%s.%s", scope, d);
        for (size_t i = 0; i < NSIG; i++) {
          char want[256];
          snprintf(want, sizeof want, "pmmu.pmmu_top.%s", sigs[i].path);
          if (strcmp(full, want) == 0) snprintf(ids[i], sizeof ids[i], "%.31s", c);
        }
      } else if (strncmp(p, "$enddefinitions", 15) == 0) {
        defs = false;
        for (size_t i = 0; i < NSIG; i++)
          if (!ids[i][0]) {
            fprintf(stderr, "pmmu-wavedrom: %s: no signal pmmu.pmmu_top.%s\n", argv[1],
                    sigs[i].path);
            return 1;
          }
      }
      continue;
    }
    if (*p == '#') { /* a new time: the previous one was a sample point (a cycle's start) */
      if (now % 10 == 0) sample();
      now = strtoull(p + 1, NULL, 10);
      continue;
    }
    if (*p == 'b' || *p == 'B' || *p == 'r') {
      char bits[128], id[64];
      if (sscanf(p + 1, "%127s %63s", bits, id) == 2) set_value(id, bits);
    } else if (*p == '0' || *p == '1' || *p == 'x' || *p == 'z' || *p == 'X' || *p == 'Z') {
      char bits[2] = {*p, 0}, id[64];
      if (sscanf(p + 1, "%63s", id) == 1) set_value(id, bits);
    }
  }
  if (now % 10 == 0) sample();
  fclose(f);

  /* the request: accepted in A (valid & ready), answered in R (first resp_valid after A) */
  int accepts[MAXCYC], na = 0;
  for (int c = 0; c < ncyc; c++)
    if (samples[c][0].v && samples[c][1].v) accepts[na++] = c;
  if (na == 0) {
    fprintf(stderr, "pmmu-wavedrom: no request in %s\n", argv[1]);
    return 1;
  }
  int a = request < 0 ? accepts[na + request < 0 ? 0 : na + request]
                      : accepts[request - 1 < na ? request - 1 : na - 1];
  int r = a;
  while (r + 1 < ncyc && !samples[r][4].v) r++;
  int from = a > 0 ? a - 1 : 0, to = r + 2 < ncyc ? r + 2 : ncyc - 1;

  printf("{\"signal\": [\n");
  printf("  {\"name\": \"clk\", \"wave\": \"p");
  for (int c = from + 1; c <= to; c++) printf(".");
  printf("\"},\n  {\"name\": \"cycle\", \"wave\": \"");
  for (int c = from; c <= to; c++) printf("=");
  printf("\", \"data\": [");
  for (int c = from; c <= to; c++)
    printf("%s\"%s%+d\"", c > from ? ", " : "", c >= r && r > a ? "R" : "A",
           c >= r && r > a ? c - r : c - a);
  printf("]},\n");
  for (size_t i = 0; i < NSIG; i++) {
    char wave[MAXCYC + 1];
    char data[8192] = "";
    size_t wn = 0, dn = 0;
    for (int c = from; c <= to; c++) {
      val v = samples[c][i];
      bool same = c > from && samples[c - 1][i].v == v.v && samples[c - 1][i].x == v.x;
      if (same) {
        wave[wn++] = '.';
        continue;
      }
      if (v.x) {
        wave[wn++] = 'x';
        continue;
      }
      if (sigs[i].kind == BIT) {
        wave[wn++] = v.v ? '1' : '0';
        continue;
      }
      char text[128];
      switch (sigs[i].kind) {
      case HEX: snprintf(text, sizeof text, "0x%llx", (unsigned long long)v.v); break;
      case ENUMF: load_filter(argv[2], sigs[i].type, v.v, text, sizeof text); break;
      case ENTRY: decode_entry(v.v, text, sizeof text); break;
      case EC: decode_ec(v.v, text, sizeof text); break;
      default: text[0] = '\0';
      }
      wave[wn++] = '=';
      dn += (size_t)snprintf(data + dn, sizeof data - dn, "%s\"%s\"", dn ? ", " : "", text);
    }
    wave[wn] = '\0';
    printf("  {\"name\": \"%s\", \"wave\": \"%s\"%s%s%s}%s\n", sigs[i].label, wave,
           dn ? ", \"data\": [" : "", data, dn ? "]" : "", i + 1 < NSIG ? "," : "");
  }
  printf("],\n \"head\": {\"text\": \"%s\"},\n", argv[4]);
  printf(
      " \"foot\": {\"text\": \"A: request accepted (req_valid & req_ready), R: response (resp_valid); one sample per cycle, before its rising edge\"}}\n");
  return 0;
}
