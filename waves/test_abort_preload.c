/* A test helper, never part of pmmu: preloaded into `pmmu` by waves.abort (LD_PRELOAD), it
 * makes the process call abort() itself, PMMU_TEST_ABORT_MS milliseconds after it started,
 * as a failed assert() or a library's fatal error would. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static void fire(int sig) {
  (void)sig;
  abort();
}

__attribute__((constructor)) static void arm(void) {
  const char *ms = getenv("PMMU_TEST_ABORT_MS");
  if (!ms) return;
  long v = strtol(ms, NULL, 10);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = fire;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval it;
  memset(&it, 0, sizeof it);
  it.it_value.tv_sec = v / 1000;
  it.it_value.tv_usec = (v % 1000) * 1000;
  setitimer(ITIMER_REAL, &it, NULL);
}
