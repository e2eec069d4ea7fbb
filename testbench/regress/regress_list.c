/* The test list of `pmmu regress` (regress.h, docs/regress.md). */
#define _POSIX_C_SOURCE 200809L /* opendir, access, strtok */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "regress.h"
#include "scenario.h"
#include "tb_file.h"
#ifdef PMMU_HAVE_RTL
#include "pmmu_rtl.h"
#endif

/* Accesses per random run: a fraction of a second on the RTL, so that thousands of seeds
 * fit in a CI job; breadth comes from the number of seeds. */
#define ACCESSES "3000"

void *regress_alloc(size_t n) {
  void *p = calloc(1, n ? n : 1);
  if (!p) {
    fputs("pmmu regress: error: out of memory\n", stderr);
    exit(3);
  }
  return p;
}

char *regress_strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = regress_alloc(n);
  memcpy(p, s, n);
  return p;
}

void *regress_grow(void *p, size_t *cap, size_t n, size_t size) {
  if (n < *cap) return p;
  size_t c = *cap ? *cap * 2 : 16;
  void *q = realloc(p, c * size);
  if (!q) {
    fputs("pmmu regress: error: out of memory\n", stderr);
    exit(3);
  }
  memset((char *)q + *cap * size, 0, (c - *cap) * size);
  *cap = c;
  return q;
}

bool regress_have_rtl(void) {
#ifdef PMMU_HAVE_RTL
  return true;
#else
  return false;
#endif
}

/* A test from a command line in one string (words split at spaces; none holds a space). */
static regress_test *add(regress_list *l, const char *name, const char *program, const char *args) {
  l->v = regress_grow(l->v, &l->cap, l->n, sizeof *l->v);
  regress_test *t = &l->v[l->n++];
  memset(t, 0, sizeof *t);
  t->name = regress_strdup(name);
  t->program = program ? regress_strdup(program) : NULL;
  char *copy = regress_strdup(args);
  unsigned cap = 8;
  t->argv = regress_alloc(cap * sizeof *t->argv);
  for (char *w = strtok(copy, " \t"); w; w = strtok(NULL, " \t")) {
    if (t->argc + 1 >= cap) {
      char **v = realloc(t->argv, 2 * cap * sizeof *v);
      if (!v) {
        fputs("pmmu regress: error: out of memory\n", stderr);
        exit(3);
      }
      t->argv = v;
      cap *= 2;
    }
    t->argv[t->argc++] = regress_strdup(w);
    if (strstr(w, "{seed}")) t->seeded = true;
  }
  t->argv[t->argc] = NULL;
  free(copy);
  t->cosim = !program && t->argc && strcmp(t->argv[0], "cosim") == 0;
  for (unsigned i = 0; i + 1 < t->argc; i++)
    if (strcmp(t->argv[i], "--engine") == 0 && strcmp(t->argv[i + 1], "model") != 0) t->rtl = true;
  return t;
}

static void unavailable(regress_test *t, const char *why) {
  if (!t->unavailable) t->unavailable = regress_strdup(why);
}

#ifdef PMMU_HAVE_RTL
static bool variant_built(unsigned sets, unsigned ways, unsigned large, const char *policy) {
  for (unsigned i = 0; i < pmmu_rtl_variant_count(); i++) {
    const pmmu_rtl_variant_t *v = pmmu_rtl_variant(i);
    if (v && !v->mutant && v->sets == sets && v->ways == ways && v->large == large &&
        strcmp(pmmu_rtl_policy_name(v->policy), policy) == 0)
      return true;
  }
  return false;
}
#endif

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One test per scenario file of dir (the directed suite, in lockstep when the RTL is built):
 * `scenario.<name>`. A file whose TLB geometry has no RTL variant in this pmmu runs on the
 * model alone (and is marked so in its name: the list must not depend on it silently). */
static int add_scenarios(regress_list *l, const char *dir, const char *prefix, tb_error *err) {
  DIR *d = opendir(dir);
  if (!d)
    return tb_fail(err, TB_E_IO, "cannot read the scenario folder '%s': %s", dir, strerror(errno));
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t len = strlen(e->d_name);
    if (len > 5 && strcmp(e->d_name + len - 5, ".pmmu") == 0 && e->d_name[0] != '.') {
      names = regress_grow(names, &cap, n, sizeof *names);
      names[n++] = regress_strdup(e->d_name);
    }
  }
  closedir(d);
  qsort(names, n, sizeof *names, by_name);
  for (size_t i = 0; i < n; i++) {
    char path[8400], name[300], args[8600];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    snprintf(name, sizeof name, "%s%.*s", prefix, (int)(strlen(names[i]) - 5), names[i]);
    bool both = regress_have_rtl();
#ifdef PMMU_HAVE_RTL
    scenario s;
    FILE *null = fopen("/dev/null", "w");
    unsigned bad = scenario_load(path, &s, null ? null : stderr);
    if (null) fclose(null);
    if (!bad && !variant_built(s.tlb_sets, s.tlb_ways, s.tlb_large, pmmu_policy_name(s.policy)))
      both = false;
    scenario_free(&s);
#endif
    snprintf(args, sizeof args, "run --engine %s %s", both ? "both" : "model", path);
    add(l, name, NULL, args);
    free(names[i]);
  }
  free(names);
  return TB_OK;
}

int regress_list_builtin(regress_list *l, const char *self, const char *scenario_dir,
                         tb_error *err) {
  static const char *const policies[] = {"plru", "lru", "fifo", "random"};
  const char *q = " --accesses " ACCESSES " --quiet --seed {seed}";
  char args[512], name[128];
  /* the model against its own fresh walks: the default TLB, and every policy on a small one */
  add(l, "cosim.model", NULL, "cosim --engine model --accesses " ACCESSES " --quiet --seed {seed}");
  for (unsigned i = 0; i < 4; i++) {
    snprintf(name, sizeof name, "cosim.model.%s", policies[i]);
    snprintf(args, sizeof args, "cosim --engine model --sets 2 --ways 2 --large 2 --policy %s%s",
             policies[i], q);
    add(l, name, NULL, args);
  }
  /* lockstep, default geometry: each paging mode, bus errors, back-pressure, acks, resets */
  static const struct {
    const char *name, *args;
    regress_paging paging;
  } both[] = {
      {"cosim.both.32bit", "", REGRESS_PAGING_32},
      {"cosim.both.pae", "", REGRESS_PAGING_PAE},
      {"cosim.both.bus_errors", " --bus-errors 30 --wait 8 --latency 1..12", REGRESS_PAGING_ANY},
      {"cosim.both.backpressure", " --wait 40 --latency 1..40 --gap 0", REGRESS_PAGING_ANY},
      {"cosim.both.acks", " --acks 50", REGRESS_PAGING_ANY},
      {"cosim.both.resets", " --resets 20 --acks 30 --latency 1..9 --wait 4", REGRESS_PAGING_ANY},
      /* a second memory master writing the walks' entries (CAS restarts) */
      {"cosim.both.pokes", " --pokes 100 --acks 30", REGRESS_PAGING_ANY},
  };
  for (size_t i = 0; i < sizeof both / sizeof both[0]; i++) {
    snprintf(args, sizeof args, "cosim --engine both%s%s", both[i].args, q);
    regress_test *t = add(l, both[i].name, NULL, args);
    t->paging = both[i].paging;
    if (!regress_have_rtl()) unavailable(t, "this pmmu was built without the RTL");
  }
  /* lockstep on every other geometry and policy built into this pmmu (its RTL variants) */
#ifdef PMMU_HAVE_RTL
  for (unsigned i = 0; i < pmmu_rtl_variant_count(); i++) {
    const pmmu_rtl_variant_t *v = pmmu_rtl_variant(i);
    if (!v || v->mutant) continue;
    const char *pol = pmmu_rtl_policy_name(v->policy);
    if (v->sets == 16 && v->ways == 4 && v->large == 8 && strcmp(pol, "plru") == 0) continue;
    snprintf(name, sizeof name, "cosim.both.%s", v->name);
    snprintf(args, sizeof args, "cosim --engine both --sets %u --ways %u --large %u --policy %s%s",
             v->sets, v->ways, v->large, pol, q);
    add(l, name, NULL, args);
  }
#endif
  /* the directed programs beside pmmu (testbench/directed/): no seed, one run each */
  static const char *const programs[] = {"pmmu_directed", "pmmu_inject", "pmmu_busy"};
  for (unsigned i = 0; i < sizeof programs / sizeof programs[0]; i++) {
    char path[4096];
    const char *slash = strrchr(self, '/');
    snprintf(path, sizeof path, "%.*s%s", slash ? (int)(slash - self + 1) : 0, self, programs[i]);
    bool built = access(path, X_OK) == 0;
    for (unsigned k = 0; k < 2; k++) {
      snprintf(name, sizeof name, "%s.%s", programs[i] + 5, k ? "both" : "model");
      regress_test *t = add(l, name, programs[i], k ? "both" : "model");
      t->rtl = k == 1;
      if (!built) unavailable(t, "its program is not beside this pmmu (a build tree has it)");
      else if (k && !regress_have_rtl()) unavailable(t, "this pmmu was built without the RTL");
#ifdef PMMU_HAVE_RTL
      /* the directed tests of replacement run on a 1x4x2 TLB (testbench/directed/directed.c) */
      else if (k && i == 0 && !variant_built(1, 4, 2, "plru"))
        unavailable(t, "it needs the RTL variant 1x4x2_plru (PMMU_RTL_VARIANTS)");
#endif
    }
  }
  if (scenario_dir) {
    /* the directed suite, its timed files and the mutants' shrunk reproducers (each passes
     * on the real RTL); not golden/, whose files show failures on purpose (their output is
     * the test) */
    static const char *const sub[][2] = {
        {"", "scenario."}, {"/timed", "scenario.timed."}, {"/mutants", "scenario.mutants."}};
    for (size_t i = 0; i < sizeof sub / sizeof sub[0]; i++) {
      char dir[4096];
      snprintf(dir, sizeof dir, "%s%s", scenario_dir, sub[i][0]);
      if (i > 0 && access(dir, R_OK) != 0) continue; /* another tree's folder, without it */
      int st = add_scenarios(l, dir, sub[i][1], err);
      if (st) return st;
    }
  }
  return TB_OK;
}

int regress_list_file(regress_list *l, const char *path, tb_error *err) {
  FILE *f = tb_input_open(path, err);
  if (!f) return TB_E_IO;
  char line[4096];
  unsigned no = 0;
  int st = TB_OK;
  while (fgets(line, sizeof line, f)) {
    no++;
    size_t len = strlen(line);
    if (len + 1 == sizeof line && line[len - 1] != '\n') {
      st = tb_fail(err, TB_E_INPUT, "%s:%u: line longer than %zu bytes", path, no, sizeof line - 2);
      break;
    }
    char *hash = strchr(line, '#');
    if (hash) *hash = '\0';
    char *p = line + strspn(line, " \t\r\n");
    if (!*p) continue;
    char *end = p + strcspn(p, " \t\r\n");
    char name[256];
    if ((size_t)(end - p) >= sizeof name) {
      st = tb_fail(err, TB_E_INPUT, "%s:%u: test name too long", path, no);
      break;
    }
    memcpy(name, p, (size_t)(end - p));
    name[end - p] = '\0';
    for (const char *c = name; *c; c++)
      if (!(('a' <= *c && *c <= 'z') || ('A' <= *c && *c <= 'Z') || ('0' <= *c && *c <= '9') ||
            strchr("._-", *c))) {
        st = tb_fail(err, TB_E_INPUT, "%s:%u: bad test name '%s' (letters, digits, '.', '_', '-')",
                     path, no, name);
        goto out;
      }
    if (regress_list_find(l, name)) {
      st = tb_fail(err, TB_E_INPUT, "%s:%u: test '%s' defined twice", path, no, name);
      break;
    }
    char *args = end + strspn(end, " \t\r\n");
    args[strcspn(args, "\r\n")] = '\0';
    if (!*args) {
      st = tb_fail(err, TB_E_INPUT, "%s:%u: test '%s' has no command (pmmu's arguments)", path, no,
                   name);
      break;
    }
    regress_test *t = add(l, name, NULL, args);
    if (t->rtl && !regress_have_rtl()) unavailable(t, "this pmmu was built without the RTL");
  }
  if (!st && ferror(f)) st = tb_fail(err, TB_E_IO, "cannot read '%s'", path);
out:
  tb_input_close(f);
  return st;
}

void regress_list_free(regress_list *l) {
  for (size_t i = 0; i < l->n; i++) {
    regress_test *t = &l->v[i];
    free(t->name);
    free(t->program);
    for (unsigned k = 0; k < t->argc; k++) free(t->argv[k]);
    free(t->argv);
    free(t->unavailable);
  }
  free(l->v);
  memset(l, 0, sizeof *l);
}

const regress_test *regress_list_find(const regress_list *l, const char *name) {
  for (size_t i = 0; i < l->n; i++)
    if (strcmp(l->v[i].name, name) == 0) return &l->v[i];
  return NULL;
}

/* The seed of one run depends on nothing but (global seed, test name, iteration): a run
 * reproduces alone, whatever else was selected, sharded or run before it. */
uint64_t regress_seed(uint64_t global, const char *name, uint64_t it, regress_paging paging) {
  uint64_t h = 0xcbf29ce484222325u; /* FNV-1a 64 */
  for (const unsigned char *c = (const unsigned char *)name; *c; c++) h = (h ^ *c) * 0x100000001b3u;
  for (int i = 0; i < 8; i++) h = (h ^ ((global >> (8 * i)) & 0xff)) * 0x100000001b3u;
  for (int i = 0; i < 8; i++) h = (h ^ ((it >> (8 * i)) & 0xff)) * 0x100000001b3u;
  uint64_t z = h + 0x9e3779b97f4a7c15u; /* splitmix64's finaliser */
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  z ^= z >> 31;
  z >>= 1; /* seeds below 2^63: short enough to read, and cosim may add to them */
  if (paging == REGRESS_PAGING_32) z |= 1;
  else if (paging == REGRESS_PAGING_PAE) z &= ~(uint64_t)1;
  return z;
}
