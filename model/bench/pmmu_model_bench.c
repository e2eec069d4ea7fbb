/*
 * pmmu_model_bench: how long libpmmu takes per translation, through its public API only.
 *
 * Three streams, each run as a caller would run it (one pmmu_request filled per access, the
 * next request presented the cycle the previous response came back):
 *   hit     a working set of HIT_PAGES pages that fits the default TLB: nearly every access
 *           hits after the first pass (writes to clean pages walk once to set D)
 *   random  uniformly random pages over RANDOM_PAGES pages (16 MiB): nearly every access
 *           walks (two reads; the page tables, 16 KiB, stay in the host's cache)
 *   trace   a real program's accesses, from a file written by scripts/lackey-traces
 * The page tables (32-bit paging, the block's reset state: CR3 = 0) are built in a host
 * buffer before timing; every repetition restores that buffer and resets the block, so all
 * repetitions do the same work and print the same cycle total (a check that an optimised
 * model still computes the same cycles: compare the `cycles` column before and after).
 *
 * Times are the thread's CPU time (CLOCK_THREAD_CPUTIME_ID) per translation.
 * Output, one line per stream:
 *   STREAM  min NS  median NS ns/translation  (N translations x R reps, H% hits, cycles C)
 * Performance is measured here and by scripts/bench, never asserted by a test.
 */
#define _POSIX_C_SOURCE 200809L
#include "pmmu/pmmu.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HIT_PAGES 48u
#define RANDOM_PAGES 4096u
#define PT_BYTES 4096u
/* Host buffer for the page tables: the page directory (PA 0) and up to 1024 page tables. */
#define MEM_BYTES (PT_BYTES * 1025u)

typedef struct access {
  uint32_t la;
  uint32_t kind; /* pmmu_access */
} access;

typedef struct stream {
  const char *name;
  access *a;
  size_t n;   /* translations */
  size_t len; /* accesses in a (n for a trace; a pattern repeated for a generated stream) */
} stream;

/* A generated stream is a pattern of PATTERN accesses (512 KiB, in the host's L2) repeated:
 * it times the model, not the host's memory streaming the requests in. A trace is read
 * straight through, as a trace-driven caller would. */
#define PATTERN 65536u

typedef struct memory {
  uint8_t *bytes;
  uint8_t *pristine; /* the tables as built, restored before each repetition */
  uint32_t next_pt;  /* the next free page-table page */
} memory;

static bool mem_read(void *ctx, uint64_t pa, unsigned size, uint64_t *value) {
  memory *m = ctx;
  if (pa + size > MEM_BYTES) return false;
  if (size == 4) { /* fixed-size copies: little-endian host, as the block's memory */
    uint32_t v;
    memcpy(&v, m->bytes + pa, 4);
    *value = v;
  } else {
    memcpy(value, m->bytes + pa, 8);
  }
  return true;
}

static bool mem_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expected, uint64_t desired,
                    uint64_t *old) {
  memory *m = ctx;
  if (!mem_read(ctx, pa, size, old)) return false;
  if (*old != expected) return true;
  if (size == 4) {
    uint32_t v = (uint32_t)desired;
    memcpy(m->bytes + pa, &v, 4);
  } else {
    memcpy(m->bytes + pa, &desired, 8);
  }
  return true;
}

static uint32_t rd32(const memory *m, uint32_t pa) {
  uint32_t v;
  memcpy(&v, m->bytes + pa, 4);
  return v;
}

static void wr32(memory *m, uint32_t pa, uint32_t v) { memcpy(m->bytes + pa, &v, 4); }

/* Maps the 4 KiB page of `la` (user, writable, accessed) to a frame derived from its number;
 * the frames themselves are never read (the model reads only page tables). */
static bool map_page(memory *m, uint32_t la) {
  uint32_t pde_pa = (la >> 22) * 4u;
  uint32_t pde = rd32(m, pde_pa);
  if (!(pde & PMMU_PTE_P)) {
    if (m->next_pt + PT_BYTES > MEM_BYTES) return false;
    pde = m->next_pt | (uint32_t)(PMMU_PTE_P | PMMU_PTE_RW | PMMU_PTE_US | PMMU_PTE_A);
    m->next_pt += PT_BYTES;
    wr32(m, pde_pa, pde);
  }
  uint32_t pte_pa = (pde & 0xFFFFF000u) + ((la >> 12) & 0x3FFu) * 4u;
  if (!(rd32(m, pte_pa) & PMMU_PTE_P)) {
    uint32_t frame = ((la >> 12) * 2654435761u) & 0xFFFFF000u; /* any frame will do */
    wr32(m, pte_pa, frame | (uint32_t)(PMMU_PTE_P | PMMU_PTE_RW | PMMU_PTE_US | PMMU_PTE_A));
  }
  return true;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint32_t rng(void) { /* xorshift64*, fixed seed: the same streams every run */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (uint32_t)((rng_state * 2685821657736338717u) >> 32);
}

static uint32_t random_kind(void) {
  uint32_t r = rng() % 10u; /* 60% reads, 20% writes, 20% fetches */
  return r < 6 ? PMMU_READ : r < 8 ? PMMU_WRITE : PMMU_FETCH;
}

static access *make_pages_stream(size_t n, uint32_t pages, uint32_t base) {
  access *a = malloc(n * sizeof *a);
  if (!a) return NULL;
  for (size_t i = 0; i < n; i++) {
    uint32_t page = rng() % pages;
    a[i].la = base + page * 4096u + (rng() & 0xFFCu);
    a[i].kind = random_kind();
  }
  return a;
}

/* Reads a trace of scripts/lackey-traces: lines "R|W|X HEX32", '#' comments. */
static access *load_trace(const char *path, size_t limit, size_t *count) {
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "pmmu_model_bench: %s: %s\n", path, strerror(errno));
    return NULL;
  }
  size_t cap = 1u << 20, n = 0;
  access *a = malloc(cap * sizeof *a);
  char line[128];
  unsigned long lineno = 0;
  while (a && n < limit && fgets(line, sizeof line, f)) {
    lineno++;
    if (line[0] == '#' || line[0] == '\n') continue;
    char *end;
    unsigned long la = strtoul(line + 1, &end, 16);
    uint32_t kind = line[0] == 'R' ? PMMU_READ : line[0] == 'W' ? PMMU_WRITE : PMMU_FETCH;
    if ((line[0] != 'R' && line[0] != 'W' && line[0] != 'X') || end == line + 1 ||
        la > 0xFFFFFFFFul) {
      fprintf(stderr, "pmmu_model_bench: %s:%lu: not an access (want 'R|W|X HEX32')\n", path,
              lineno);
      free(a);
      fclose(f);
      return NULL;
    }
    if (n == cap) {
      cap *= 2;
      access *b = realloc(a, cap * sizeof *a);
      if (!b) break;
      a = b;
    }
    a[n++] = (access){(uint32_t)la, kind};
  }
  fclose(f);
  if (!a || n == 0) {
    fprintf(stderr, "pmmu_model_bench: %s: no accesses read\n", path);
    free(a);
    return NULL;
  }
  *count = n;
  return a;
}

/* The thread's CPU time, not the wall clock: these machines are shared, and a run that waits
 * for a core would count the wait (a time slice is milliseconds, a translation nanoseconds). */
static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

typedef struct result {
  double ns;
  uint64_t cycles, hits;
} result;

/* One repetition: reset the block and the tables, then translate the whole stream. */
static bool run_once(pmmu_t *pm, memory *mem, const stream *s, result *r) {
  memcpy(mem->bytes, mem->pristine, mem->next_pt); /* the tables in use, not the whole buffer */
  pmmu_reset(pm);
  pmmu_request req = {.priv = PMMU_USER};
  pmmu_response rsp;
  rsp.response_cycle = 0;
  uint64_t faults = 0;
  double t0 = now_ns();
  for (size_t done = 0; done < s->n;) {
    size_t chunk = s->len < s->n - done ? s->len : s->n - done;
    for (size_t i = 0; i < chunk; i++) {
      req.la = s->a[i].la;
      req.access = (pmmu_access)s->a[i].kind;
      req.cycle = rsp.response_cycle;
      if (pmmu_translate(pm, &req, &rsp) != PMMU_E_OK) return false;
      faults += rsp.outcome != PMMU_OK;
    }
    done += chunk;
  }
  double t1 = now_ns();
  pmmu_stats st;
  pmmu_get_stats(pm, &st);
  if (faults) {
    fprintf(stderr, "pmmu_model_bench: %s: %llu unexpected faults\n", s->name,
            (unsigned long long)faults);
    return false;
  }
  r->ns = (t1 - t0) / (double)s->n;
  r->cycles = st.last_cycle;
  r->hits = st.hits;
  return true;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static bool bench(pmmu_t *pm, memory *mem, const stream *s, unsigned reps) {
  double ns[64];
  result r = {0}, first = {0};
  for (unsigned i = 0; i < reps; i++) {
    if (!run_once(pm, mem, s, &r)) return false;
    if (i == 0) first = r;
    if (r.cycles != first.cycles || r.hits != first.hits) {
      fprintf(stderr, "pmmu_model_bench: %s: repetitions disagree on cycles\n", s->name);
      return false;
    }
    ns[i] = r.ns;
  }
  qsort(ns, reps, sizeof ns[0], cmp_double);
  printf("%-8s min %7.2f  median %7.2f ns/translation  (%zu translations x %u reps, %.1f%% "
         "hits, cycles %llu)\n",
         s->name, ns[0], ns[reps / 2], s->n, reps, 100.0 * (double)r.hits / (double)s->n,
         (unsigned long long)r.cycles);
  return fflush(stdout) == 0 && !ferror(stdout);
}

static void usage(FILE *to) {
  fprintf(to, "usage: pmmu_model_bench [--requests N] [--reps R] [--sets S] [--ways W] "
              "[--large L]\n"
              "                        [--stream hit|random|trace]... [--trace FILE]... "
              "[--trace-limit N] [--join]\n"
              "  Times libpmmu's pmmu_translate() on a hit-heavy, a random and real-program\n"
              "  streams (default: hit and random, plus every --trace FILE); prints ns per\n"
              "  translation, min and median of R repetitions (default 5), N = 1000000.\n"
              "  --join runs the traces as one stream, named 'traces'; --trace-limit N keeps\n"
              "  the first N accesses of each.\n");
}

static bool parse_uint(const char *opt, const char *arg, unsigned long max, unsigned long *out) {
  char *end;
  errno = 0;
  unsigned long v = arg ? strtoul(arg, &end, 0) : 0;
  if (!arg || errno || *end || end == arg || v < 1 || v > max) {
    fprintf(stderr, "pmmu_model_bench: %s wants a number from 1 to %lu\n", opt, max);
    return false;
  }
  *out = v;
  return true;
}

int main(int argc, char **argv) {
  unsigned long requests = 1000000, reps = 5, trace_limit = 100000000;
  pmmu_config cfg;
  pmmu_config_init(&cfg);
  bool want_hit = false, want_random = false, want_trace = false, join = false;
  const char *traces[16];
  unsigned n_traces = 0;
  for (int i = 1; i < argc; i++) {
    const char *o = argv[i], *arg = i + 1 < argc ? argv[i + 1] : NULL;
    unsigned long v;
    bool ok = true;
    if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(o, "--requests")) ok = parse_uint(o, arg, 1000000000ul, &requests);
    else if (!strcmp(o, "--reps")) ok = parse_uint(o, arg, 63, &reps);
    else if (!strcmp(o, "--trace-limit")) ok = parse_uint(o, arg, 1000000000ul, &trace_limit);
    else if (!strcmp(o, "--sets")) ok = parse_uint(o, arg, 1024, &v), cfg.tlb_sets = (unsigned)v;
    else if (!strcmp(o, "--ways")) ok = parse_uint(o, arg, 16, &v), cfg.tlb_ways = (unsigned)v;
    else if (!strcmp(o, "--large")) ok = parse_uint(o, arg, 64, &v), cfg.tlb_large = (unsigned)v;
    else if (!strcmp(o, "--stream") && arg && !strcmp(arg, "hit")) want_hit = true;
    else if (!strcmp(o, "--stream") && arg && !strcmp(arg, "random")) want_random = true;
    else if (!strcmp(o, "--stream") && arg && !strcmp(arg, "trace")) want_trace = true;
    else if (!strcmp(o, "--trace") && arg && n_traces < 16) traces[n_traces++] = arg;
    else if (!strcmp(o, "--join")) {
      join = true;
      continue; /* no argument */
    } else {
      fprintf(stderr, "pmmu_model_bench: bad option '%s'\n", o);
      usage(stderr);
      return 2;
    }
    if (!ok) return 2;
    i++;
  }
  if (!want_hit && !want_random && !want_trace) want_hit = want_random = want_trace = true;
  if (want_trace && !want_hit && !want_random && n_traces == 0) {
    fprintf(stderr, "pmmu_model_bench: --stream trace needs --trace FILE\n");
    return 2;
  }

  memory mem = {calloc(1, MEM_BYTES), calloc(1, MEM_BYTES), PT_BYTES};
  if (!mem.bytes || !mem.pristine) return 1;
  cfg.mem.read = mem_read;
  cfg.mem.cas = mem_cas;
  cfg.mem.ctx = &mem;
  const char *why = pmmu_config_check(&cfg);
  if (why) {
    fprintf(stderr, "pmmu_model_bench: %s\n", why);
    return 2;
  }
  pmmu_t *pm;
  if (pmmu_create(&cfg, &pm) != PMMU_E_OK) return 1;

  stream streams[18];
  unsigned n_streams = 0;
  const uint32_t hit_base = 0x08048000u, random_base = 0x10000000u;
  const size_t pattern = requests < PATTERN ? requests : PATTERN;
  if (want_hit)
    streams[n_streams++] =
        (stream){"hit", make_pages_stream(pattern, HIT_PAGES, hit_base), requests, pattern};
  if (want_random)
    streams[n_streams++] = (stream){"random", make_pages_stream(pattern, RANDOM_PAGES, random_base),
                                    requests, pattern};
  for (unsigned t = 0; want_trace && t < n_traces; t++) {
    size_t n;
    access *a = load_trace(traces[t], trace_limit, &n);
    if (!a) return 1;
    /* the name: the file's base name without ".trace" */
    const char *base = strrchr(traces[t], '/');
    base = base ? base + 1 : traces[t];
    size_t len = strlen(base);
    if (len > 6 && !strcmp(base + len - 6, ".trace")) len -= 6;
    char *name = malloc(len + 1);
    if (!name) return 1;
    memcpy(name, base, len);
    name[len] = '\0';
    streams[n_streams++] = (stream){name, a, n, n};
  }
  /* (traces are loaded only when the trace stream is wanted: without it there is nothing to
   * join) */
  if (want_trace && join && n_traces > 1) { /* one stream "traces": the programs in turn */
    unsigned first = n_streams - n_traces;
    size_t total = 0;
    for (unsigned s = first; s < n_streams; s++) total += streams[s].n;
    access *a = malloc(total * sizeof *a);
    if (!a) return 1;
    size_t at = 0;
    for (unsigned s = first; s < n_streams; s++) {
      memcpy(a + at, streams[s].a, streams[s].n * sizeof *a);
      at += streams[s].n;
      free(streams[s].a);
    }
    n_streams = first;
    streams[n_streams++] = (stream){"traces", a, total, total};
  } else if (want_trace && join && n_traces == 1) {
    streams[n_streams - 1].name = "traces";
  }
  for (unsigned s = 0; s < n_streams; s++) {
    if (!streams[s].a) return 1;
    for (size_t i = 0; i < streams[s].len; i++) {
      if (!map_page(&mem, streams[s].a[i].la)) {
        fprintf(stderr, "pmmu_model_bench: page tables full\n");
        return 1;
      }
    }
  }
  memcpy(mem.pristine, mem.bytes, MEM_BYTES);
  printf("pmmu_model_bench: libpmmu %s, TLB %ux%u+%u %s\n", pmmu_version(), cfg.tlb_sets,
         cfg.tlb_ways, cfg.tlb_large, pmmu_policy_name(cfg.policy));
  for (unsigned s = 0; s < n_streams; s++)
    if (!bench(pm, &mem, &streams[s], (unsigned)reps)) return 1;
  pmmu_destroy(pm);
  for (unsigned s = 0; s < n_streams; s++) free(streams[s].a);
  free(mem.bytes);
  free(mem.pristine);
  return 0;
}
