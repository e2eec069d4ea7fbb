/*
 * Tests of the testbench OS through its headers (os.h, sim.h), on the model engine.
 *
 *   pmmu_os_tests NAME          runs one test: exit 0 if every check held
 *   pmmu_os_tests NAME --bug    runs it on an OS with the deliberate bug the test is meant to
 *                               catch (os_bug): exit 0 only if some check failed, which shows
 *                               that the test can fail
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os.h"
#include "sim.h"
#include "workload.h"

static unsigned failures;

#define CHECK(cond, ...)                                                         \
  do {                                                                           \
    if (!(cond)) {                                                               \
      failures++;                                                                \
      if (failures <= 5) {                                                       \
        fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
        fprintf(stderr, __VA_ARGS__);                                            \
        fprintf(stderr, "\n");                                                   \
      }                                                                          \
    }                                                                            \
  } while (0)

/* ---- A world: a model engine and an OS over it ---------------------------------------------- */

typedef struct world {
  engine_t *e;
  os_t *os;
  char *log;
  size_t log_len;
  FILE *logf;
} world;

static void world_open(world *w, os_bug bug, unsigned frames, unsigned check_every) {
  memset(w, 0, sizeof *w);
  engine_setup setup = {0}; /* every field: an observer left unset would be called */
  pmmu_config cfg;
  pmmu_config_init(&cfg);
  setup.tlb_sets = cfg.tlb_sets;
  setup.tlb_ways = cfg.tlb_ways;
  setup.tlb_large = cfg.tlb_large;
  setup.policy = cfg.policy;
  pmem_timing_init(&setup.timing);
  tb_error err;
  w->e = engine_create(ENGINE_MODEL, &setup, &err);
  if (!w->e) {
    fprintf(stderr, "engine: %s\n", err.msg);
    exit(2);
  }
  os_config oc;
  os_config_init(&oc);
  oc.frames = frames;
  oc.bug = bug;
  oc.check_every = check_every;
  w->logf = open_memstream(&w->log, &w->log_len);
  oc.log = w->logf;
  w->os = os_create(w->e, &oc, err.msg, sizeof err.msg);
  if (!w->os) {
    fprintf(stderr, "os: %s\n", err.msg);
    exit(2);
  }
}

static const char *world_log(world *w) {
  fflush(w->logf);
  return w->log ? w->log : "";
}

static void world_close(world *w) {
  char why[256];
  unsigned bad = os_check(w->os, why, sizeof why);
  CHECK(bad == 0, "%u invariant violations at the end: %s", bad, why);
  const os_stats *s = os_get_stats(w->os);
  CHECK(s->data_errors == 0, "%" PRIu64 " reads returned data other than what was written",
        s->data_errors);
  CHECK(s->kernel_errors == 0, "%" PRIu64 " kernel errors:\n%s", s->kernel_errors, world_log(w));
  os_destroy(w->os);
  engine_destroy(w->e);
  fclose(w->logf);
  free(w->log);
}

static uint32_t heap_va(world *w, int pid, unsigned page, unsigned word) {
  os_area h;
  if (!os_area_of(w->os, pid, OS_AREA_HEAP, &h)) return 0;
  return h.start + page * OS_PAGE + 4 * word;
}

static uint32_t rd(world *w, int pid, uint32_t va) {
  uint32_t v = 0;
  CHECK(os_access(w->os, pid, OS_R, va, &v), "read of 0x%08" PRIx32 " by %d got SIGSEGV", va, pid);
  return v;
}

static void wr(world *w, int pid, uint32_t va, uint32_t v) {
  CHECK(os_access(w->os, pid, OS_W, va, &v), "write of 0x%08" PRIx32 " by %d got SIGSEGV", va, pid);
}

/* ---- The tests ---------------------------------------------------------------------------- */

/* fork, then writes on both sides: each process keeps its own copy. */
static void test_fork_cow(os_bug bug) {
  world w;
  world_open(&w, bug, 256, 1);
  int parent = os_spawn(w.os, "pmmu-sim");
  uint32_t a = heap_va(&w, parent, 3, 5), b = heap_va(&w, parent, 4, 0);
  wr(&w, parent, a, 0x11111111);
  wr(&w, parent, b, 0x22222222);
  int child = os_fork(w.os, parent);
  CHECK(child > 0, "fork failed");
  CHECK(os_frame_of(w.os, parent, a) == os_frame_of(w.os, child, a),
        "after fork the page is not shared");
  CHECK(rd(&w, child, a) == 0x11111111, "the child does not see the parent's data");
  wr(&w, child, a, 0x33333333); /* the child breaks COW */
  CHECK(rd(&w, parent, a) == 0x11111111, "the parent sees the child's write");
  CHECK(rd(&w, child, a) == 0x33333333, "the child lost its own write");
  CHECK(os_frame_of(w.os, parent, a) != os_frame_of(w.os, child, a),
        "the written page is still shared");
  wr(&w, parent, b, 0x44444444); /* now the parent breaks COW on another page */
  CHECK(rd(&w, child, b) == 0x22222222, "the child sees the parent's write after fork");
  CHECK(rd(&w, parent, b) == 0x44444444, "the parent lost its own write");
  wr(&w, parent, a, 0x55555555); /* the parent's copy is its own now: no copy */
  CHECK(rd(&w, child, a) == 0x33333333, "the child sees the parent's later write");
  const os_proc_stats *cs = os_get_proc_stats(w.os, child), *ps = os_get_proc_stats(w.os, parent);
  CHECK(cs->cow_copies + ps->cow_copies >= 2, "expected COW copies, got %" PRIu64,
        cs->cow_copies + ps->cow_copies);
  os_exit(w.os, child);
  CHECK(rd(&w, parent, a) == 0x55555555 && rd(&w, parent, b) == 0x44444444,
        "the parent's data changed at the child's exit");
  world_close(&w);
}

/* More pages written than there are frames: dirty pages go to swap and come back intact. */
static void test_swap_roundtrip(os_bug bug) {
  world w;
  world_open(&w, bug, 16, 1);
  int pid = os_spawn(w.os, "pmmu-sim");
  const unsigned pages = 64;
  for (unsigned p = 0; p < pages; p++)
    for (unsigned k = 0; k < 4; k++)
      wr(&w, pid, heap_va(&w, pid, p, k * 200), 0xA0000000u + p * 16 + k);
  for (unsigned round = 0; round < 2; round++)
    for (unsigned p = 0; p < pages; p++)
      for (unsigned k = 0; k < 4; k++) {
        uint32_t v = rd(&w, pid, heap_va(&w, pid, p, k * 200));
        CHECK(v == 0xA0000000u + p * 16 + k, "page %u word %u came back as 0x%08" PRIx32, p,
              k * 200, v);
      }
  const os_proc_stats *s = os_get_proc_stats(w.os, pid);
  CHECK(s->swapouts > 0 && s->swapins > 0, "no swapping happened (%" PRIu64 " out, %" PRIu64 " in)",
        s->swapouts, s->swapins);
  CHECK(s->majflt >= s->swapins, "swap-ins must be major faults");
  world_close(&w);
}

static void expect_segv(world *w, int pid, os_access_kind kind, uint32_t va, const char *line) {
  uint32_t v = 0xDEAD;
  uint64_t before = os_get_proc_stats(w->os, pid)->segv;
  CHECK(!os_access(w->os, pid, kind, va, &v), "no SIGSEGV for the access to 0x%08" PRIx32, va);
  CHECK(os_get_proc_stats(w->os, pid)->segv == before + 1, "SIGSEGV not counted");
  CHECK(strstr(world_log(w), line) != NULL, "segfault line missing: wanted \"%s\" in:\n%s", line,
        world_log(w));
}

static void test_segv_null(os_bug bug) {
  world w;
  world_open(&w, bug, 64, 1);
  int pid = os_spawn(w.os, "pmmu-sim");
  uint32_t ip = OS_TEXT_START + 0x124, v;
  CHECK(os_access(w.os, pid, OS_X, ip, &v), "fetch failed");
  expect_segv(
      &w, pid, OS_R, 0x8,
      "pmmu-sim[1]: segfault at 8 ip 08048124 sp bffffff0 error 4 in pmmu-sim[8048000+40000] (user read, page not present)");
  CHECK(os_alive(w.os, pid), "the process must survive (it has a SIGSEGV handler)");
  world_close(&w);
}

static void test_segv_text_write(os_bug bug) {
  world w;
  world_open(&w, bug, 64, 1);
  int pid = os_spawn(w.os, "pmmu-sim");
  uint32_t ip = OS_TEXT_START + 0x2000, v;
  CHECK(os_access(w.os, pid, OS_X, ip, &v), "fetch failed");
  CHECK(v == os_file_word(1, 2, 0), "text holds 0x%08" PRIx32 ", not the program's word", v);
  expect_segv(
      &w, pid, OS_W, ip + 0x10,
      "segfault at 804a010 ip 0804a000 sp bffffff0 error 7 in pmmu-sim[8048000+40000] (user write, protection violation)");
  CHECK(rd(&w, pid, ip + 0x10) == os_file_word(1, 2, 4), "the text changed");
  world_close(&w);
}

static void test_segv_kernel(os_bug bug) {
  world w;
  world_open(&w, bug, 64, 1);
  int pid = os_spawn(w.os, "pmmu-sim");
  uint32_t v;
  CHECK(os_access(w.os, pid, OS_X, OS_TEXT_START, &v), "fetch failed");
  expect_segv(
      &w, pid, OS_R, OS_KERNEL_START + 0x1000,
      "segfault at c0001000 ip 08048000 sp bffffff0 error 5 in pmmu-sim[8048000+40000] (user read, protection violation)");
  expect_segv(&w, pid, OS_W, OS_KERNEL_START + 0x1004, "error 7");
  world_close(&w);
}

/* Every process maps the library's pages to the same frames: one physical copy. */
static void test_shared_lib(os_bug bug) {
  world w;
  world_open(&w, bug, 1024, 1);
  int pids[4];
  os_area lib;
  for (int i = 0; i < 4; i++) pids[i] = os_spawn(w.os, "pmmu-sim");
  CHECK(os_area_of(w.os, pids[0], OS_AREA_LIB, &lib), "no library");
  unsigned pages = (lib.end - lib.start) / OS_PAGE;
  for (int i = 0; i < 4; i++)
    for (unsigned p = 0; p < pages; p++) {
      uint32_t v = 0;
      CHECK(os_access(w.os, pids[i], OS_X, lib.start + p * OS_PAGE + 8, &v),
            "library fetch failed");
      CHECK(v == os_file_word(2, p, 2), "library page %u holds 0x%08" PRIx32, p, v);
    }
  for (unsigned p = 0; p < pages; p++)
    for (int i = 1; i < 4; i++)
      CHECK(os_frame_of(w.os, pids[i], lib.start + p * OS_PAGE) ==
                os_frame_of(w.os, pids[0], lib.start + p * OS_PAGE),
            "library page %u: process %d has its own frame", p, pids[i]);
  CHECK(os_frames_used(w.os) == pages, "%u frames in use for %u library pages",
        os_frames_used(w.os), pages);
  world_close(&w);
}

/* After mprotect(read-only) a write faults even though the TLB held a writable entry. */
static void test_mprotect_invlpg(os_bug bug) {
  world w;
  world_open(&w, bug, 64, 1);
  int pid = os_spawn(w.os, "pmmu-sim");
  os_area d;
  CHECK(os_area_of(w.os, pid, OS_AREA_DATA, &d), "no data area");
  wr(&w, pid, d.start + 8, 1);
  wr(&w, pid, d.start + 12, 2); /* a TLB hit with W and D */
  CHECK(os_mprotect(w.os, pid, d.start, d.end - d.start, false), "mprotect failed");
  uint32_t v = 3;
  CHECK(!os_access(w.os, pid, OS_W, d.start + 16, &v), "a write to a read-only page succeeded");
  CHECK(rd(&w, pid, d.start + 16) == os_file_word(1, 64, 4), "the write reached memory");
  CHECK(os_mprotect(w.os, pid, d.start, d.end - d.start, true), "mprotect back failed");
  wr(&w, pid, d.start + 16, 4);
  CHECK(rd(&w, pid, d.start + 16) == 4, "write after mprotect(rw) lost");
  /* brk shrink: the page is gone, even for the TLB */
  uint32_t h = heap_va(&w, pid, 10, 0);
  wr(&w, pid, h, 5);
  CHECK(os_set_heap_pages(w.os, pid, 10), "brk failed");
  CHECK(!os_access(w.os, pid, OS_R, h, &v), "a read beyond brk succeeded");
  CHECK(os_set_heap_pages(w.os, pid, 20), "brk failed");
  CHECK(rd(&w, pid, h) == 0, "a page unmapped and mapped again is not zero");
  world_close(&w);
}

/* The clock gives a page in use a second chance: A cleared (and INVLPG), set again by the
 * next walk; a hot page is never evicted while cold ones stream past. */
static void test_clock_second_chance(os_bug bug) {
  world w;
  world_open(&w, bug, 8, 1);
  int pid = os_spawn(w.os, "pmmu-sim");
  /* Frames are handed out in order: a cold page in frame 0, the hot page in frame 1, cold
   * pages in the rest. The first sweep finds every A set, clears them all and comes back
   * to frame 0; the hot page is then read again, which walks (the sweep's INVLPG) and sets
   * its A, so the next sweep, starting at frame 1, must spare it. From then on the hot page
   * is read after every allocation and the clock must never evict it. */
  uint32_t hot = heap_va(&w, pid, 0, 0);
  wr(&w, pid, heap_va(&w, pid, 100, 0), 100);
  wr(&w, pid, hot, 0x1234);
  for (unsigned i = 1; i < 7; i++) wr(&w, pid, heap_va(&w, pid, 100 + i, 0), i);
  long frame = os_frame_of(w.os, pid, hot);
  for (unsigned i = 1; i <= 40; i++) {
    wr(&w, pid, heap_va(&w, pid, i, 0), i);
    CHECK(rd(&w, pid, hot) == 0x1234, "hot page lost its data");
  }
  CHECK(os_frame_of(w.os, pid, hot) == frame, "the hot page was evicted (frame %ld, was %ld)",
        os_frame_of(w.os, pid, hot), frame);
  CHECK(os_get_proc_stats(w.os, pid)->swapins == 0, "the hot page came back from swap");
  CHECK(os_get_stats(w.os)->evictions >= 30, "too few evictions: %" PRIu64,
        os_get_stats(w.os)->evictions);
  world_close(&w);
}

/* A whole workload with more pages than frames: the frames in use never exceed the limit
 * (sampled after every access), nor does any process's resident set. */
static void test_rss_bounded(os_bug bug) {
  sim_options o;
  sim_options_init(&o);
  o.os.frames = 40;
  o.os.bug = bug;
  o.accesses = 40000;
  o.quiet_status = true;
  FILE *out = tmpfile();
  sim_result res;
  int status = sim_run(&o, out, stderr, &res);
  CHECK(status == 0, "sim_run returned %d", status);
  CHECK(res.max_frames_used <= 40, "%u frames in use at once, limit 40", res.max_frames_used);
  CHECK(res.total.swapouts > 0, "the workload did not exceed the frames");
  fclose(out);
  /* and per process */
  world w;
  world_open(&w, bug, 16, 0);
  int pid = os_spawn(w.os, "pmmu-sim");
  for (unsigned p = 0; p < 100; p++) {
    wr(&w, pid, heap_va(&w, pid, p, 1), p);
    os_mem_usage u;
    os_mem_usage_of(w.os, pid, &u);
    CHECK(u.rss_pages <= 16 && os_frames_used(w.os) <= 16,
          "VmRSS %u pages, %u frames used, limit 16", u.rss_pages, os_frames_used(w.os));
  }
  world_close(&w);
}

/* The default mix, small, with every invariant checked after every fault. */
static void test_invariants(os_bug bug) {
  sim_options o;
  sim_options_init(&o);
  o.os.frames = 48;
  o.os.bug = bug;
  o.os.check_every = 1;
  o.accesses = 40000;
  o.quiet_status = true;
  FILE *out = tmpfile();
  sim_result res;
  int status = sim_run(&o, out, stderr, &res);
  CHECK(res.os.check_runs > 500, "only %" PRIu64 " checks ran", res.os.check_runs);
  CHECK(res.check_failures == 0, "%" PRIu64 " invariant checks failed", res.check_failures);
  CHECK(res.data_errors == 0, "%" PRIu64 " data errors", res.data_errors);
  CHECK(status == 0, "sim_run returned %d", status);
  CHECK(res.total.cow_copies > 0 && res.total.swapins > 0 && res.total.file_reads > 0 &&
            res.total.zero_fills > 0,
        "a mechanism was not exercised");
  fclose(out);
}

/* ---- A trace is checked whole, then run without being held (issue 17: input memory) -------- */

typedef struct seen {
  uint64_t n;
  uint32_t last_line;
  bool in_order;
} seen;

static int count_visit(void *ctx, const trace_rec *rec) {
  seen *s = ctx;
  if (rec->line < s->last_line) s->in_order = false;
  if (rec->op != TR_FORK && rec->op != TR_EXIT && rec->arg != 0x10000000u + 4 * (rec->line - 1))
    s->in_order = false; /* the address written on that line */
  s->last_line = rec->line;
  s->n++;
  return 0;
}

static void write_trace(const char *path, unsigned accesses, const char *tail) {
  FILE *f = fopen(path, "w");
  CHECK(f != NULL, "cannot create %s", path);
  if (!f) return;
  for (unsigned i = 0; i < accesses; i++) {
    if (i == accesses / 2) fprintf(f, "1 fork 2\n"); /* line accesses/2 + 1 */
    else
      fprintf(f, "%u %c 0x%08x\n", i > accesses / 2 ? 2u : 1u, "RWX"[i % 3], 0x10000000u + 4 * i);
  }
  fputs(tail, f);
  CHECK(fclose(f) == 0, "cannot write %s", path);
}

static void test_trace_stream(os_bug bug) {
  (void)bug;
  char path[] = "/tmp/pmmu-trace-stream-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0, "mkstemp");
  if (fd < 0) return;
  close(fd);
  os_config layout;
  os_config_init(&layout);
  char *msg = NULL;
  size_t msg_len = 0;
  FILE *err = open_memstream(&msg, &msg_len);

  write_trace(path, 3000, "");
  trace_stream ts;
  CHECK(trace_open(path, &layout, 0, &ts, err) == 0, "a good trace refused");
  CHECK(!ts.is_held && ts.held.v == NULL, "a trace in a file was held in memory");
  CHECK(ts.records == 3000 && ts.procs_made == 2,
        "%" PRIu64 " records, %u processes (expected 3000, 2)", ts.records, ts.procs_made);
  seen s = {.in_order = true};
  CHECK(trace_each(&ts, count_visit, &s, err) == 0 && s.n == 3000 && s.in_order,
        "the run saw %" PRIu64 " records%s", s.n, s.in_order ? "" : " out of order");
  /* the file changes between the check and the run: the run says so */
  write_trace(path, 3000, "1 R nonsense\n");
  CHECK(trace_each(&ts, count_visit, &s, err) == 2, "a file changed under the run went unnoticed");
  trace_close(&ts);

  /* a limit: only the first 10 records are checked and run */
  write_trace(path, 3000, "");
  CHECK(trace_open(path, &layout, 10, &ts, err) == 0 && ts.records == 10, "--accesses 10");
  s = (seen){.in_order = true};
  CHECK(trace_each(&ts, count_visit, &s, err) == 0 && s.n == 10, "ran %" PRIu64 " of 10", s.n);
  trace_close(&ts);

  /* an error of the processes at the end is found before anything runs, with its line */
  write_trace(path, 3000, "2 fork 1\n");
  fflush(err);
  size_t before = msg_len;
  CHECK(trace_open(path, &layout, 0, &ts, err) == 2, "a fork of a live PID accepted");
  fflush(err);
  CHECK(msg_len > before && strstr(msg + before, ":3001: error: PID 2 forks PID 1") != NULL,
        "message: %s", msg + before);
  fclose(err);
  free(msg);
  remove(path);
}

typedef struct test {
  const char *name;
  void (*fn)(os_bug);
  os_bug bug; /* the bug it must catch */
} test;

static const test tests[] = {
    {"fork_cow", test_fork_cow, OS_BUG_COW_NO_COPY},
    {"swap_roundtrip", test_swap_roundtrip, OS_BUG_SWAP_NO_WRITE},
    {"segv_null", test_segv_null, OS_BUG_NO_AREA_CHECK},
    {"segv_text_write", test_segv_text_write, OS_BUG_TEXT_WRITABLE},
    {"segv_kernel", test_segv_kernel, OS_BUG_KERNEL_USER},
    {"shared_lib", test_shared_lib, OS_BUG_LIB_PRIVATE},
    {"mprotect_invlpg", test_mprotect_invlpg, OS_BUG_NO_INVLPG},
    {"clock_second_chance", test_clock_second_chance, OS_BUG_NO_INVLPG},
    {"rss_bounded", test_rss_bounded, OS_BUG_NO_FRAME_LIMIT},
    {"invariants", test_invariants, OS_BUG_COW_NO_COPY},
    {"trace_stream", test_trace_stream, OS_BUG_NONE}, /* no --bug run: no OS bug */
};

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: pmmu_os_tests NAME [--bug]\ntests:");
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
      fprintf(stderr, " %s", tests[i].name);
    fprintf(stderr, "\n");
    return 2;
  }
  bool with_bug = argc > 2 && strcmp(argv[2], "--bug") == 0;
  for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
    if (strcmp(argv[1], tests[i].name) != 0) continue;
    tests[i].fn(with_bug ? tests[i].bug : OS_BUG_NONE);
    if (with_bug) {
      if (failures) {
        printf("%s: the bug '%s' was caught (%u checks failed)\n", tests[i].name,
               os_bug_name(tests[i].bug), failures);
        return 0;
      }
      printf("%s: the bug '%s' went unnoticed\n", tests[i].name, os_bug_name(tests[i].bug));
      return 1;
    }
    printf("%s: %s\n", tests[i].name, failures ? "FAILED" : "passed");
    return failures ? 1 : 0;
  }
  fprintf(stderr, "unknown test '%s'\n", argv[1]);
  return 2;
}
