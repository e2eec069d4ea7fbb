/* The runner of `pmmu regress` (regress.h): children in their own process groups, at most
 * -j at once, each killed with its whole group when its time is up. */
#define _GNU_SOURCE /* sched_getaffinity */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "regress.h"

unsigned regress_cpus(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n > 256 ? 256u : (unsigned)n;
  }
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 && online <= 256 ? (unsigned)online : 1u;
}

static volatile sig_atomic_t g_stop;
static void on_stop(int sig) { g_stop = sig; }

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The child: its own process group (so that a timeout kills what it started too), stdin
 * from /dev/null, stdout and stderr to the log. Only async-signal-safe calls after fork. */
static pid_t start(regress_job *j) {
  int fd = open(j->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return -1;
  pid_t pid = fork();
  if (pid < 0) {
    close(fd);
    return -1;
  }
  if (pid == 0) {
    setpgid(0, 0);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    int in = open("/dev/null", O_RDONLY);
    if (in >= 0) dup2(in, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    execv(j->path, j->argv);
    static const char msg[] = "pmmu regress: cannot execute the run's program\n";
    ssize_t w = write(2, msg, sizeof msg - 1);
    (void)w;
    _exit(127);
  }
  setpgid(pid, pid); /* both sides: no window in which a kill of the group misses it */
  close(fd);
  return pid;
}

static void fmt_time(char *buf, size_t len, double s) {
  if (s < 0) s = 0;
  unsigned long t = (unsigned long)(s + 0.5);
  if (t >= 3600) snprintf(buf, len, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
  else snprintf(buf, len, "%lu:%02lu", t / 60, t % 60);
}

typedef struct counts {
  size_t passed, failed, running, queued;
} counts;

static void progress(FILE *f, bool live, const char *what, const counts *c, size_t done,
                     size_t total, double elapsed) {
  char el[32], eta[32] = "?";
  fmt_time(el, sizeof el, elapsed);
  if (done) fmt_time(eta, sizeof eta, elapsed / (double)done * (double)(total - done));
  if (live) fputs("\r\033[K", f);
  fprintf(f, "%s: %zu/%zu: %zu passed, %zu failed, %zu running, %zu queued; elapsed %s, ETA %s",
          what, done, total, c->passed, c->failed, c->running, c->queued, el, eta);
  fputs(live ? "" : "\n", f);
  fflush(f);
}

int regress_run_jobs(regress_job *jobs, size_t n, const regress_runner_options *o,
                     const char *what) {
  pid_t *pids = regress_alloc((o->jobs ? o->jobs : 1) * sizeof *pids);
  size_t *slot = regress_alloc((o->jobs ? o->jobs : 1) * sizeof *slot);
  double *started = regress_alloc((o->jobs ? o->jobs : 1) * sizeof *started);
  unsigned slots = o->jobs ? o->jobs : 1, busy = 0;
  size_t next = 0, done = 0;
  counts c = {0, 0, 0, n};
  int st = 0;
  struct sigaction sa, old_int, old_term;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  g_stop = 0;
  for (unsigned s = 0; s < slots; s++) pids[s] = 0;
  double t0 = now(), last = t0;
  bool live = o->progress == 1;
  while (done < n) {
    while (!g_stop && busy < slots && next < n) {
      regress_job *j = &jobs[next];
      unsigned s = 0;
      while (pids[s]) s++;
      pid_t pid = start(j);
      if (pid < 0) {
        FILE *lf = fopen(j->log, "w");
        if (lf) {
          fprintf(lf, "pmmu regress: cannot start '%s': %s\n", j->path, strerror(errno));
          fclose(lf);
        }
        j->exit_status = 127;
        st = TB_E_IO;
        next++, done++, c.queued--, c.failed++;
        continue;
      }
      pids[s] = pid, slot[s] = next, started[s] = now();
      busy++, next++, c.queued--, c.running++;
    }
    if (g_stop) { /* stop: the children's groups killed, the rest never started */
      for (unsigned s = 0; s < slots; s++)
        if (pids[s]) kill(-pids[s], SIGKILL);
      for (size_t k = next; k < n; k++) jobs[k].exit_status = -SIGKILL;
      done += n - next;
      next = n;
      c.queued = 0;
    }
    int ws;
    pid_t pid = waitpid(-1, &ws, WNOHANG);
    if (pid > 0) {
      for (unsigned s = 0; s < slots; s++) {
        if (pids[s] != pid) continue;
        regress_job *j = &jobs[slot[s]];
        kill(-pid, SIGKILL); /* whatever the run left behind in its group */
        j->seconds = now() - started[s];
        j->exit_status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -WTERMSIG(ws);
        pids[s] = 0, busy--, done++, c.running--;
        bool ok = j->exit_status == 0 && !j->timed_out;
        if (ok) c.passed++;
        else c.failed++;
        if (!ok && !o->quiet && j->label && !g_stop) {
          if (live) fputs("\r\033[K", stderr);
          fprintf(stderr, "%s: %s %s\n", what, j->timed_out ? "TIMEOUT" : "FAIL", j->label);
        }
      }
      continue;
    }
    if (pid < 0 && errno != EINTR && errno != ECHILD) {
      st = TB_E_IO;
      break;
    }
    double t = now();
    if (o->timeout)
      for (unsigned s = 0; s < slots; s++)
        if (pids[s] && !jobs[slot[s]].timed_out && t - started[s] > (double)o->timeout) {
          jobs[slot[s]].timed_out = true;
          kill(-pids[s], SIGKILL);
        }
    if (o->progress >= 0 && t - last >= (live ? 0.25 : o->progress_every)) {
      progress(stderr, live, what, &c, done, n, t - t0);
      last = t;
    }
    struct timespec nap = {0, 20 * 1000 * 1000};
    nanosleep(&nap, NULL);
  }
  if (o->progress >= 0) {
    progress(stderr, live, what, &c, done, n, now() - t0);
    if (live) fputc('\n', stderr);
  }
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  free(pids);
  free(slot);
  free(started);
  if (g_stop) return 1;
  return st;
}
