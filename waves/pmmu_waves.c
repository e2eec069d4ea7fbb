/* The waveform options and sessions (pmmu_waves.h, docs/waves.md). testbench/cli parses the
 * options (cli_waves_options). */
#define _GNU_SOURCE /* fopencookie, realpath */
#include "pmmu_waves.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtkw.h"
#include "outfile.h"

#ifdef PMMU_WAVES_HAVE_RTL
#include "pmmu_rtl.h"
#endif

const char waves_help[] =
    "      --waves FILE [--waves-from N] [--waves-to M]: dump the RTL's cycles N..M to FILE (FST;\n"
    "      VCD when FILE ends in .vcd) with a GTKWave save file FILE.gtkw next to it;\n"
    "      N <= M, both 0..2^64-1;\n"
    "      --waves-on-failure N: dump only if a lockstep check fails, the last N cycles before\n"
    "      it, N 1..100000000 (re-runs the command; FILE default pmmu-failure.fst; not with\n"
    "      --waves-from/--waves-to); --waves-flush N: write the dump out every N cycles\n"
    "      (1..4294967295). FILE is checked before the run (exit 2 if it cannot be created; a\n"
    "      device, FIFO or directory is refused) and gets its name only when complete (else\n"
    "      FILE.partial, exit 2). See docs/waves.md.\n";

void waves_options_init(waves_options *o) {
  memset(o, 0, sizeof *o);
  o->to = UINT64_MAX;
}

bool waves_enabled(const waves_options *o) { return o->path || o->on_failure; }

bool waves_available(void) {
#ifdef PMMU_WAVES_HAVE_RTL
  return pmmu_rtl_trace_available();
#else
  return false;
#endif
}

void waves_path_for(const char *path, const char *tag, char *buf, size_t len) {
  const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
  if (!dot || (slash && dot < slash) || dot == (slash ? slash + 1 : path))
    dot = path + strlen(path);
  snprintf(buf, len, "%.*s.%s%s", (int)(dot - path), path, tag, dot);
}

const char *waves_failure_path(const waves_options *o) {
  return o->path ? o->path : "pmmu-failure.fst";
}

/* ---- Failures seen on the report stream --------------------------------------------------- */

static struct {
  bool failed;    /* the first failure is recorded */
  bool in_report; /* inside a mismatch report */
  uint64_t div, accept, seen;
  char line[512];
  size_t used;
} watch;

void waves_watch_reset(void) { memset(&watch, 0, sizeof watch); }
bool waves_failed(void) { return watch.failed; }

static uint64_t rtl_now(void) {
#ifdef PMMU_WAVES_HAVE_RTL
  return pmmu_rtl_last_cycle();
#else
  return 0;
#endif
}

static void note(uint64_t c) {
  if (c < watch.div) watch.div = c;
}

/* "rd32 0x000100004 = 0x... @p/a/r" or "(none)" */
static bool txn_cycles(const char *s, uint64_t c[3]) {
  const char *at = strchr(s, '@');
  unsigned long long p, a, r;
  if (!at || sscanf(at + 1, "%llu/%llu/%llu", &p, &a, &r) != 3) return false;
  c[0] = p, c[1] = a, c[2] = r;
  return true;
}

/* One line of the report stream (engine.c's mismatch table, cosim's own failures). */
static void watch_line(const char *l) {
  if (watch.failed && !watch.in_report) return;
  /* a request's table ("... presented in cycle N") or a PDPTE load's ("... in cycle N") */
  if (strncmp(l, "lockstep mismatch at ", 21) == 0) {
    watch.in_report = true;
    watch.div = UINT64_MAX;
    watch.seen = rtl_now();
#ifdef PMMU_WAVES_HAVE_RTL
    watch.accept = pmmu_rtl_last_accept();
#endif
    const char *p = strstr(l, " in cycle ");
    if (watch.accept == UINT64_MAX && p) watch.accept = strtoull(p + 10, NULL, 10);
    return;
  }
  if (!watch.in_report) {
    if (strncmp(l, "cosim: reproduce with:", 22) == 0 && !watch.failed) { /* cosim's own checks */
      watch.failed = true;
      watch.div = watch.seen = rtl_now();
#ifdef PMMU_WAVES_HAVE_RTL
      watch.accept = pmmu_rtl_last_accept();
#endif
    }
    return;
  }
  if (strncmp(l, "  reproduce:", 12) == 0) {
    watch.in_report = false;
    if (watch.div == UINT64_MAX) watch.div = watch.seen;
    if (watch.accept == UINT64_MAX || watch.accept > watch.div) watch.accept = watch.div;
    watch.failed = true;
    return;
  }
  if (strncmp(l, "  field ", 8) == 0 || strlen(l) < 26) return;
  /* "  %-22s %-36s %s": field, model, rtl */
  char field[32];
  snprintf(field, sizeof field, "%.22s", l + 2);
  const char *model = l + 25, *rtl = strlen(l) > 62 ? l + 62 : "";
  if (strncmp(field, "accept cycle", 12) == 0 || strncmp(field, "response cycle", 14) == 0) {
    unsigned long long m = 0, r = 0;
    if (sscanf(model, "%llu %llu", &m, &r) == 2) note(m < r ? m : r); /* decimal cycles */
  } else if (strncmp(field, "memory access", 13) == 0) {
    uint64_t a[3], b[3];
    bool ha = txn_cycles(model, a), hb = txn_cycles(rtl, b);
    if (ha && hb) {
      bool any = false;
      for (int k = 0; k < 3; k++)
        if (a[k] != b[k]) {
          note(a[k] < b[k] ? a[k] : b[k]);
          any = true;
          break;
        }
      if (!any) note(a[2]); /* same cycles, other data: seen at the response */
    } else if (ha) {
      note(a[0]);
    } else if (hb) {
      note(b[0]);
    }
  } else {
    note(watch.seen); /* a result field: visible in the response cycle */
  }
}

static ssize_t watch_write(void *cookie, const char *buf, size_t size) {
  FILE *through = cookie;
  if (through) fwrite(buf, 1, size, through);
  for (size_t i = 0; i < size; i++) {
    char c = buf[i];
    if (c == '\n') {
      watch.line[watch.used] = '\0';
      watch_line(watch.line);
      watch.used = 0;
    } else if (watch.used + 1 < sizeof watch.line) {
      watch.line[watch.used++] = c;
    }
  }
  return (ssize_t)size;
}

static int watch_close(void *cookie) {
  FILE *through = cookie;
  if (through) fflush(through);
  return 0;
}

FILE *waves_watch(FILE *through) {
  cookie_io_functions_t io = {.write = watch_write, .close = watch_close};
  FILE *f = fopencookie(through, "w", io);
  if (f) setvbuf(f, NULL, _IOLBF, 0);
  return f ? f : (through ? through : stderr);
}

void waves_failure_window(const waves_options *o, uint64_t *from, uint64_t *to) {
  uint64_t n = o->on_failure ? o->on_failure : 64;
  *from = watch.div > n ? watch.div - n : 0;
  if (watch.accept < *from) *from = watch.accept > 8 ? watch.accept - 8 : 0; /* show the request */
  *to = (watch.seen > watch.div ? watch.seen : watch.div) + 2;
}

/* ---- Sessions ----------------------------------------------------------------------------
 *
 * The RTL writes the dump under a temporary name in the directory of the file the user named
 * (outfile.h); when the dump is closed it is checked with the FST reader, and only a complete
 * one gets its name (a .vcd is converted first), then the save file is written the same way.
 * A dump that cannot be read back is renamed FILE.partial and reported as such. */

static struct {
  bool active;
  bool vcd;
  bool closed;            /* the dump was closed at least once */
  bool failed;            /* the dump or its save file could not be completed (why) */
  char path[PATH_MAX];    /* as the user named it */
  char fst[PATH_MAX + 8]; /* what the RTL writes: a temporary file next to path */
  char why[OUTFILE_WHY];
  uint64_t from, to;
  uint64_t first, last; /* the cycles in the dump */
  /* waves_abandon's, made ready by waves_start (a signal handler may not format) */
  char partial[PATH_MAX + 16];
  /* the FST writer's hierarchy, kept in FILE.hier until the dump is closed: GTKWave's reader
   * opens an unfinished FST (up to its last flushed block) when it finds that file beside it */
  char fst_hier[PATH_MAX + 16], partial_hier[PATH_MAX + 24];
  char abandon_msg[2 * PATH_MAX + 192];
  size_t abandon_len;
} session;

/* Written by waves_start and on_close, read by waves_abandon in a signal handler. */
static volatile sig_atomic_t session_open;

#ifdef PMMU_WAVES_HAVE_RTL
static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* fst2vcd -f fst -o vcd */
static int convert_to_vcd(const char *fst, const char *vcd) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    char *const argv[] = {(char *)"fst2vcd", (char *)"-f", (char *)fst,
                          (char *)"-o",      (char *)vcd,  NULL};
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, 1);
    execvp("fst2vcd", argv);
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* The dump could not be completed: it keeps what it has as FILE.partial (never FILE). */
static void keep_partial(const char *what) {
  char partial[PATH_MAX + 16], why[OUTFILE_WHY];
  snprintf(partial, sizeof partial, "%s.partial", session.path);
  session.failed = true;
  if (outfile_commit(session.fst, partial, why) == 0)
    snprintf(session.why, sizeof session.why, "%s is incomplete (%s); what was dumped is in %s",
             session.path, what, partial);
  else
    snprintf(session.why, sizeof session.why, "%s is incomplete (%s), and %.*s", session.path, what,
             PATH_MAX + 256, why);
}

static void on_close(const char *path, void *ctx) {
  (void)ctx;
  if (!session.active || strcmp(path, session.fst) != 0) return;
  session.closed = true;
  session_open = 0;
  uint64_t end = 0;
  if (pmmu_rtl_fst_check(session.fst, &end) != 0) {
    keep_partial("the FST writer's output cannot be read back: a write failed (a full disk,"
                 " a file size limit?)");
    return;
  }
  uint64_t t0 = pmmu_rtl_cycle_time(0);
  session.first = session.from;
  session.last = end >= t0 ? (end - t0) / 10 : 0;
  char tmp[PATH_MAX + 16];
  if (session.vcd) {
    if (outfile_temp(session.path, tmp, sizeof tmp, session.why) != 0) {
      keep_partial("no room for the VCD next to it");
      return;
    }
    if (convert_to_vcd(session.fst, tmp) != 0) {
      unlink(tmp);
      keep_partial("fst2vcd could not convert it");
      return;
    }
    unlink(session.fst);
    if (outfile_commit(tmp, session.path, session.why) != 0) {
      unlink(tmp);
      session.failed = true;
      return;
    }
  } else if (outfile_commit(session.fst, session.path, session.why) != 0) {
    unlink(session.fst);
    session.failed = true;
    return;
  }
  gtkw_view v;
  memset(&v, 0, sizeof v);
  v.dump = session.path;
  v.vcd = session.vcd;
  v.marker_accept = v.marker_div = -1;
  v.start = (int64_t)pmmu_rtl_cycle_time(session.from);
  if (watch.failed) {
    v.marker_accept = (int64_t)pmmu_rtl_cycle_time(watch.accept);
    v.marker_div = (int64_t)pmmu_rtl_cycle_time(watch.div);
  }
  char save[PATH_MAX + 8];
  gtkw_path_for(session.path, save, sizeof save);
  if (outfile_temp(save, tmp, sizeof tmp, session.why) != 0) {
    session.failed = true;
    return;
  }
  if (gtkw_write(&v, tmp) != 0) {
    unlink(tmp);
    session.failed = true;
    snprintf(session.why, sizeof session.why, "%s: the save file could not be written", save);
    return;
  }
  if (outfile_commit(tmp, save, session.why) != 0) {
    unlink(tmp);
    session.failed = true;
  }
}

#endif /* PMMU_WAVES_HAVE_RTL */

int waves_check_path(const waves_options *o, char *why, size_t len) {
  char reason[OUTFILE_WHY], save[PATH_MAX + 8];
  const char *path = o->on_failure ? waves_failure_path(o) : o->path;
  if (!path) return 0;
  gtkw_path_for(path, save, sizeof save);
  if (outfile_check(path, reason) != 0 || outfile_check(save, reason) != 0) {
    snprintf(why, len, "%s", reason);
    return -1;
  }
  return 0;
}

int waves_start(const char *path, uint64_t from, uint64_t to, FILE *err) {
#ifdef PMMU_WAVES_HAVE_RTL
  if (!pmmu_rtl_trace_available()) {
    (void)from, (void)to;
    fprintf(err,
            "pmmu: --waves %s: this pmmu's RTL was built without tracing"
            " (configure with -DPMMU_RTL_TRACE=ON)\n",
            path);
    return -1;
  }
  memset(&session, 0, sizeof session);
  session.vcd = ends_with(path, ".vcd");
  session.from = from;
  session.to = to;
  snprintf(session.path, sizeof session.path, "%s", path);
  char save[PATH_MAX + 8];
  gtkw_path_for(path, save, sizeof save);
  if (outfile_check(save, session.why) != 0 ||
      outfile_temp(path, session.fst, sizeof session.fst, session.why) != 0) {
    fprintf(err, "pmmu: error: --waves %s\n", session.why);
    return -1;
  }
  snprintf(session.partial, sizeof session.partial, "%s.partial", path);
  snprintf(session.fst_hier, sizeof session.fst_hier, "%s.hier", session.fst);
  snprintf(session.partial_hier, sizeof session.partial_hier, "%s.hier", session.partial);
  int n = snprintf(session.abandon_msg, sizeof session.abandon_msg,
                   "waves: error: %s is incomplete (the process aborted); what was dumped is in"
                   " %s, up to its last flushed block (--waves-flush N): GTKWave opens it with"
                   " %s beside it\n",
                   path, session.partial, session.partial_hier);
  session.abandon_len =
      n > 0 && (size_t)n < sizeof session.abandon_msg ? (size_t)n : strlen(session.abandon_msg);
  session.active = true;
  session_open = 1;
  pmmu_rtl_waves_on_close(on_close, NULL);
  pmmu_rtl_waves_auto(session.fst, from, to);
  return 0;
#else
  (void)path, (void)from, (void)to;
  fprintf(err, "pmmu: --waves: this pmmu was built without the RTL\n");
  return -1;
#endif
}

void waves_abandon(void) {
  if (!session_open) return;
  session_open = 0;
  if (rename(session.fst, session.partial) == 0) { /* rename and write: async-signal-safe */
    (void)rename(session.fst_hier, session.partial_hier);
    ssize_t w = write(2, session.abandon_msg, session.abandon_len);
    (void)w;
  }
}

void waves_set_flush(uint64_t every) {
#ifdef PMMU_WAVES_HAVE_RTL
  pmmu_rtl_waves_flush(every);
#else
  (void)every;
#endif
}

int waves_stop(FILE *msg) {
#ifdef PMMU_WAVES_HAVE_RTL
  pmmu_rtl_waves_auto(NULL, 0, 0);
  pmmu_rtl_trace_close_all();
#endif
  if (!session.active) return 0;
  session.active = false;
  session_open = 0;
  if (!session.closed) {
    unlink(session.fst); /* the temporary file, still empty */
    fprintf(msg, "waves: nothing was dumped to %s (no RTL cycle in the window)\n", session.path);
    return 0;
  }
  if (session.failed) {
    fprintf(msg, "waves: error: %s\n", session.why);
    return -1;
  }
  char cmd[PATH_MAX * 2 + 64];
  gtkw_open_command(session.path, cmd, sizeof cmd);
  if (watch.failed)
    fprintf(msg,
            "waves: first failure: divergence in cycle %" PRIu64
            ", request accepted in cycle %" PRIu64 " (markers B and A); open it with:\n  %s\n",
            watch.div, watch.accept, cmd);
  else
    fprintf(msg, "waves: %s written (cycles %" PRIu64 "..%" PRIu64 "); open it with:\n  %s\n",
            session.path, session.first, session.last, cmd);
  return 0;
}
