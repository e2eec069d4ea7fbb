// A deliberate leak, built exactly as the project's sanitized SystemC programs are (with
// sanitizer_main_stack.cpp): the test systemc.sanitizer.leak_reported expects LeakSanitizer
// to report it, and to report it in every run rather than crash (docs/verification.md).
//
// One thread finishes (SystemC leaves it through the unannotated abort path that used to
// make LeakSanitizer's tracer crash) and one leaks a block from a function whose name the
// test looks for in the report.
#include <cstdlib>
#include <cstring>

#include <systemc>

namespace {

volatile void *sink;

__attribute__((noinline)) void pmmu_leak_demo_allocate() {
  // The only pointer to the block lives in a register or a dead stack slot of a finished
  // coroutine: it is unreachable when the program exits.
  void *block = std::malloc(4242);
  std::memset(block, 0x5a, 4242);
  sink = nullptr;
}

SC_MODULE(leaky){SC_CTOR(leaky){SC_THREAD(finishes);
SC_THREAD(leaks);
} // namespace
void finishes() {
  for (int i = 0; i < 10; i++) wait(1, sc_core::SC_NS);
}
void leaks() {
  wait(5, sc_core::SC_NS);
  pmmu_leak_demo_allocate();
}
}
;

} // namespace

int sc_main(int, char **) {
  leaky top("top");
  sc_core::sc_start();
  return 0;
}
