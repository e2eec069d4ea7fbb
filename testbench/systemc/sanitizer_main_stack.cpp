// Linked into every SystemC program of a PMMU_SANITIZE build, and only there (CMakeLists.txt).
//
// Why: SystemC 2.3.4 (Debian 12's libsystemc) runs SC_THREADs as QuickThreads coroutines and
// reports its stack switches to AddressSanitizer (__sanitizer_start/finish_switch_fiber),
// but not all of them: sc_cor_pkg_qt::abort(), the switch out of a finished or killed thread,
// is not reported, and a switch back to the main coroutine announces a stack of size 0
// (SystemC does not know the main stack). ASan's record of the main thread's stack is then
// left pointing at a finished thread's coroutine stack, which SystemC unmaps when it deletes
// the thread. LeakSanitizer's check at exit treats that record as the main thread's stack
// and scans it; whether the range is unmapped, partly remapped or intact depends on the
// address-space layout of the run, so the tracer dies with SIGSEGV ("Tracer caught signal
// 11") in some runs and not others (docs/verification.md, "LeakSanitizer and SystemC").
// SystemC fixed its annotation in 3.0.1 (abort reported, main stack recorded).
//
// What: at exit, back on the main stack (atexit handlers run before LeakSanitizer's own
// check, which was registered first, at ASan's initialisation), report one last switch to
// the main thread's real stack. The leak check then scans the right range; nothing is
// suppressed and leak checking stays on for the project's code and SystemC's alike.
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>

#include <cstdio>
#include <cstdlib>

namespace {

void announce_main_stack() {
  pthread_attr_t attr;
  void *bottom = nullptr;
  size_t size = 0;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) {
    std::fputs("sanitizer_main_stack: pthread_getattr_np failed; the leak check may "
               "scan a stale stack\n",
               stderr);
    return;
  }
  int status = pthread_attr_getstack(&attr, &bottom, &size);
  pthread_attr_destroy(&attr);
  if (status != 0) return;
  __sanitizer_start_switch_fiber(nullptr, bottom, size);
  __sanitizer_finish_switch_fiber(nullptr, nullptr, nullptr);
}

__attribute__((constructor)) void install_announce_main_stack() {
  std::atexit(announce_main_stack);
}

} // namespace
