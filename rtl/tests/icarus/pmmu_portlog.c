/*
 * pmmu_portlog: runs a scenario file or a cosim seed in lockstep (the C model and the
 * Verilated RTL, engine both) and writes the RTL's port log (engine_set_port_log): every input
 * and output of pmmu_top in every cycle. tb_pmmu_file.sv replays it on another simulator
 * (Icarus Verilog) or on another build of the RTL (--x-initial unique) and checks that the
 * outputs are the same (rtl/tests/icarus/README.md).
 *
 *   pmmu_portlog scenario FILE.pmmu OUT
 *   pmmu_portlog cosim SEED ACCESSES OUT [BUS_ERRORS WAIT LAT_MIN LAT_MAX]
 *   pmmu_portlog pack LOG OUT
 *
 * `pack` turns a port log (text) into the packed log tb_pmmu_file.sv reads with $fread: three
 * text lines, then each row as its changes from the row before in 32-bit words (README.md,
 * "The packed log"), so that a replay's time is the simulator's time on the RTL and not the
 * parsing of text.
 *
 * The log is written to OUT.tmp and renamed to OUT when the run agreed and every write
 * succeeded. Exit status: 0 written; 1 the lockstep disagreed: nothing written (a scenario
 * whose own expectations fail is written: the golden scenarios show failures on purpose); 2 bad arguments, input or I/O error; 77 no RTL variant of the
 * run's TLB geometry was built (ctest's skip code). `pack`: 0 written; 2 bad input (named by
 * file and line) or I/O error, nothing written.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cosim.h"
#include "engine.h"
#include "run.h"
#include "scenario.h"

#define EXIT_SKIP 77

static const char *prog = "pmmu_portlog";

static int usage(void) {
  fprintf(stderr,
          "usage: %s scenario FILE.pmmu OUT\n"
          "       %s cosim SEED ACCESSES OUT [BUS_ERRORS WAIT LAT_MIN LAT_MAX]\n"
          "       %s pack LOG OUT\n",
          prog, prog, prog);
  return 2;
}

/* A decimal number in [0, max]: no sign, space or trailing junk. */
static int number(const char *s, uint64_t max, const char *what, uint64_t *out) {
  char *end;
  if (s[0] < '0' || s[0] > '9') goto bad;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || v > max) goto bad;
  *out = v;
  return 0;
bad:
  fprintf(stderr, "%s: %s: '%s' is not a number in 0..%" PRIu64 "\n", prog, what, s, max);
  return -1;
}

static char tmp_path[4096];

static FILE *open_log(const char *out) {
  if ((size_t)snprintf(tmp_path, sizeof tmp_path, "%s.tmp", out) >= sizeof tmp_path) {
    fprintf(stderr, "%s: %s: path too long\n", prog, out);
    return NULL;
  }
  FILE *f = fopen(tmp_path, "w");
  if (!f) fprintf(stderr, "%s: %s: %s\n", prog, tmp_path, strerror(errno));
  return f;
}

/* Closes the log; renames it to OUT when `keep` and every write succeeded. 0 on success. */
static int close_log(FILE *f, const char *out, bool keep) {
  bool ok = !ferror(f);
  if (fclose(f) != 0) ok = false;
  if (!ok) fprintf(stderr, "%s: %s: write error\n", prog, tmp_path);
  if (ok && keep && rename(tmp_path, out) != 0) {
    fprintf(stderr, "%s: %s: %s\n", prog, out, strerror(errno));
    ok = false;
  }
  if (!ok || !keep) remove(tmp_path);
  return ok ? 0 : -1;
}

static int run_scenario(const char *path, const char *out) {
  scenario s;
  if (scenario_load(path, &s, stderr)) {
    scenario_free(&s);
    return 2;
  }
  tb_error err;
  engine_setup setup = scenario_engine_setup(&s);
  /* the testbenches are pmmu_top with its default parameters (16 sets, 4 ways, 8 large
   * entries, pseudo-LRU): a scenario of another geometry is not theirs to replay */
  if (setup.tlb_sets != 16 || setup.tlb_ways != 4 || setup.tlb_large != 8 ||
      setup.policy != PMMU_POLICY_PLRU) {
    fprintf(stderr, "%s: %s: another TLB geometry than the testbench's 16x4x8 plru\n", prog, path);
    scenario_free(&s);
    return EXIT_SKIP;
  }
  engine_t *e = engine_create(ENGINE_BOTH, &setup, &err);
  if (!e) {
    fprintf(stderr, "%s: %s: %s\n", prog, path, err.msg);
    scenario_free(&s);
    return err.code == TB_E_UNAVAILABLE ? EXIT_SKIP : 2;
  }
  FILE *f = open_log(out);
  if (!f) {
    engine_destroy(e);
    scenario_free(&s);
    return 2;
  }
  if (engine_set_port_log(e, f) != TB_OK) {
    fprintf(stderr, "%s: %s\n", prog, engine_error(e)->msg);
    engine_destroy(e);
    scenario_free(&s);
    close_log(f, out, false);
    return 2;
  }
  run_options opt = {.quiet = true, .report = stderr, .repro = path};
  run_result res;
  int st = scenario_run(&s, e, &opt, stdout, &res, &err);
  if (st < 0) fprintf(stderr, "%s: %s: %s\n", prog, path, err.msg);
  /* the engines agreed; a failed expectation is the scenario's own business (the golden
   * scenarios show failures on purpose): the log is what the RTL did */
  if (st == TB_EXPECT) st = TB_OK;
  if (st == TB_OK && engine_finish(e) != TB_OK) st = TB_MISMATCH;
  if (st == TB_OK && engine_rtl_errors(e)) st = TB_MISMATCH;
  engine_destroy(e); /* writes the last cycles */
  scenario_free(&s);
  if (st != TB_OK) {
    if (st > 0)
      fprintf(stderr, "%s: %s: the lockstep run failed (%s)\n", prog, path, tb_status_name(st));
    close_log(f, out, false);
    return st < 0 ? 2 : 1;
  }
  if (close_log(f, out, true)) return 2;
  printf("%s: %s: %u accesses, %" PRIu64 " cycles\n", prog, path, res.accesses, res.cycles);
  return 0;
}

/* a: SEED ACCESSES OUT [BUS_ERRORS WAIT LAT_MIN LAT_MAX] (n of them) */
static int run_cosim(int n, char **a) {
  static const char *const what[] = {"SEED", "ACCESSES", "OUT",    "BUS_ERRORS",
                                     "WAIT", "LAT_MIN",  "LAT_MAX"};
  static const uint64_t max[] = {UINT64_MAX, 100000000, 0, 1000, 1000, 1000, 1000};
  uint64_t v[7] = {0};
  if (n != 3 && n != 7) return usage();
  for (int i = 0; i < n; i++) {
    if (i != 2 && number(a[i], max[i], what[i], &v[i])) return 2;
  }
  const char *out = a[2];
  cosim_options o;
  cosim_options_init(&o);
  o.seed = v[0];
  o.accesses = v[1];
  o.engine = ENGINE_BOTH;
  o.quiet = true;
  if (n == 7) {
    if (v[5] == 0 || v[6] < v[5]) {
      fprintf(stderr, "%s: want 1 <= LAT_MIN <= LAT_MAX\n", prog);
      return 2;
    }
    o.setup.timing.bus_error_permille = (unsigned)v[3];
    o.setup.timing.wait_max = (unsigned)v[4];
    o.setup.timing.lat_min = (unsigned)v[5];
    o.setup.timing.lat_max = (unsigned)v[6];
  }
  FILE *f = open_log(out);
  if (!f) return 2;
  o.port_log = f;
  cosim_result res;
  tb_error err;
  int st = cosim_run(&o, stderr, &res, &err);
  if (st < 0) fprintf(stderr, "%s: cosim seed %" PRIu64 ": %s\n", prog, o.seed, err.msg);
  if (st != TB_OK) {
    close_log(f, out, false);
    return st == TB_E_UNAVAILABLE ? EXIT_SKIP : st < 0 ? 2 : 1;
  }
  if (close_log(f, out, true)) return 2;
  char repro[512];
  cosim_command(&o, repro, sizeof repro);
  printf("%s: %s: %" PRIu64 " requests, %" PRIu64 " cycles\n", prog, repro, res.requests,
         res.cycles);
  return 0;
}

/* ---- pack: the port log as one binary word per row ------------------------------------ */

/* The hex digits of the log's 44 fields (README.md, "The port log"): every field is printed
 * with as many digits as its port has, so that a row's fields, joined, are one 135-digit
 * (540-bit) number with each field on whole digits: tb_pmmu_file.sv's row word. */
static const unsigned char field_digits[] = {
    1, 1, 1, 8, 1, 1, 1, 1, 1, 1, 1, 8, 1, 1, 1,  1,  1, 16, 1, 1, 1, 8, 1, /* rst_n, inputs */
    1, 1, 9, 1, 2, 1, 1, 1, 1, 1, 1, 9, 1, 1, 16, 16, 1, 8,  2, 1, 1};      /* outputs */
#define PACK_FIELDS (sizeof field_digits)
#define PACK_BYTES 68u /* 540 bits, big-endian, the top 4 bits 0 */

static int hex_value(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/* One data line of the log into `word` (PACK_BYTES); NULL, or what is wrong with it. */
static const char *pack_row(const char *line, unsigned char word[PACK_BYTES]) {
  static char why[96];
  unsigned nib = 1; /* nibble 0 is the top 4 bits: always 0 */
  const char *p = line;
  memset(word, 0, PACK_BYTES);
  for (unsigned f = 0; f < PACK_FIELDS; f++) {
    while (*p == ' ') p++;
    unsigned n = 0;
    for (; hex_value((unsigned char)p[n]) >= 0; n++) {
      if (n < field_digits[f]) {
        unsigned v = (unsigned)hex_value((unsigned char)p[n]);
        word[(nib + n) / 2] |= (unsigned char)((nib + n) % 2 ? v : v << 4);
      }
    }
    if (n == 0) {
      snprintf(why, sizeof why, "%u fields, want %u (or not lower-case hex)", f,
               (unsigned)PACK_FIELDS);
      return why;
    }
    if (n != field_digits[f]) {
      snprintf(why, sizeof why, "field %u has %u digits, want %u", f + 1, n, field_digits[f]);
      return why;
    }
    if (p[n] != ' ' && p[n] != '\n' && p[n] != '\0') {
      snprintf(why, sizeof why, "field %u: '%c' is not a lower-case hex digit", f + 1, p[n]);
      return why;
    }
    nib += n;
    p += n;
  }
  while (*p == ' ') p++;
  if (*p != '\n' && *p != '\0') return "more than 44 fields";
  return NULL;
}

/* The packed body (README.md, "The packed log"): 32-bit big-endian words. A row is the
 * 544-bit number of its 135 digits (the top 4 bits 0) cut into 17 lanes of 32 bits (lane 0 the
 * lowest); it is written as its changes from the row before (the first from 0): a control word
 * whose bits 16:0 say which lanes change and whose bits 31:17 say how many of the rows after it
 * are the same (0..32767), then the changed lanes, lowest first. About 13 bytes a row on a
 * cosim run (68 unpacked): the testbench's per-cycle reading stays small against the RTL's
 * evaluation, under Verilator too (its $fread takes one fgetc per byte). */
#define PACK_LANES 17u
#define PACK_REPEAT_MAX 32767u

typedef struct packer {
  FILE *f; /* NULL: count only */
  uint32_t lanes[PACK_LANES];
  uint32_t pending[PACK_LANES + 1]; /* the record not written yet: control word, lanes */
  unsigned n_pending;               /* its words (0: none) */
  unsigned long words;              /* words written (or counted) */
} packer;

static uint32_t lane_of(const unsigned char word[PACK_BYTES], unsigned lane) {
  const unsigned char *b = word + PACK_BYTES - 4 * (lane + 1);
  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void pack_flush(packer *p) {
  for (unsigned i = 0; i < p->n_pending; i++) {
    if (p->f) {
      unsigned char b[4] = {(unsigned char)(p->pending[i] >> 24),
                            (unsigned char)(p->pending[i] >> 16),
                            (unsigned char)(p->pending[i] >> 8), (unsigned char)p->pending[i]};
      fwrite(b, 1, 4, p->f);
    }
    p->words++;
  }
  p->n_pending = 0;
}

static void pack_add(packer *p, const unsigned char word[PACK_BYTES]) {
  uint32_t mask = 0, lanes[PACK_LANES];
  for (unsigned l = 0; l < PACK_LANES; l++) {
    lanes[l] = lane_of(word, l);
    if (lanes[l] != p->lanes[l]) mask |= 1u << l;
  }
  if (mask == 0 && p->n_pending && (p->pending[0] >> 17) < PACK_REPEAT_MAX) {
    p->pending[0] += 1u << 17; /* the same row again */
    return;
  }
  pack_flush(p);
  p->pending[p->n_pending++] = mask;
  for (unsigned l = 0; l < PACK_LANES; l++) {
    if (mask >> l & 1) p->pending[p->n_pending++] = lanes[l];
    p->lanes[l] = lanes[l];
  }
}

/* Packs the rows of `in` (after its header line); false on a bad line (named on stderr). */
static bool pack_rows(FILE *in, const char *log, packer *p, unsigned long *rows) {
  char line[1024];
  unsigned char word[PACK_BYTES];
  unsigned long lineno = 1;
  *rows = 0;
  while (fgets(line, sizeof line, in)) {
    lineno++;
    const char *why = strchr(line, '\n') ? pack_row(line, word) : "line too long or unterminated";
    if (why) {
      fprintf(stderr, "%s: %s:%lu: %s\n", prog, log, lineno, why);
      return false;
    }
    pack_add(p, word);
    (*rows)++;
  }
  pack_flush(p);
  if (ferror(in)) fprintf(stderr, "%s: %s: read error\n", prog, log);
  return !ferror(in);
}

/* pack LOG OUT: "// pmmu packed port log v2 ROWS WORDS", "// #HEADER" and "// LOG" (text
 * lines), then the WORDS words of the body; written to OUT.tmp and renamed to OUT when every
 * line was good and every write succeeded. Two passes: the counts, then the words. */
static int run_pack(const char *log, const char *out) {
  FILE *in = fopen(log, "r");
  if (!in) {
    fprintf(stderr, "%s: %s: %s\n", prog, log, strerror(errno));
    return 2;
  }
  char header[1024];
  if (!fgets(header, sizeof header, in) || header[0] != '#' || !strchr(header, '\n')) {
    fprintf(stderr, "%s: %s:1: not a port log (no '#' header line)\n", prog, log);
    fclose(in);
    return 2;
  }
  packer count = {0};
  unsigned long rows, rows2;
  if (!pack_rows(in, log, &count, &rows) || rows == 0) {
    if (rows == 0) fprintf(stderr, "%s: %s: no row after the header\n", prog, log);
    fclose(in);
    return 2;
  }
  FILE *f = open_log(out);
  if (!f) {
    fclose(in);
    return 2;
  }
  fprintf(f, "// pmmu packed port log v2 %lu %lu\n// %s// %s\n", rows, count.words, header, log);
  packer w = {.f = f};
  rewind(in);
  bool ok = fgets(header, sizeof header, in) && pack_rows(in, log, &w, &rows2) && rows2 == rows &&
            w.words == count.words;
  if (!ok) fprintf(stderr, "%s: %s: changed while read\n", prog, log);
  fclose(in);
  if (close_log(f, out, ok)) return 2;
  return ok ? 0 : 2;
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "scenario") == 0) return run_scenario(argv[2], argv[3]);
  if (argc >= 2 && strcmp(argv[1], "cosim") == 0) return run_cosim(argc - 2, argv + 2);
  if (argc == 4 && strcmp(argv[1], "pack") == 0) return run_pack(argv[2], argv[3]);
  return usage();
}
