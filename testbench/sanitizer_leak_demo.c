/* A deliberate leak in a C program built as the project's sanitized C tests are: the test
 * sanitizer.leak_reported expects LeakSanitizer to report it, so a build or environment
 * that turned leak checking off for the project's code would fail (docs/verification.md). */
#include <stdlib.h>
#include <string.h>

static void *volatile sink;

__attribute__((noinline)) static void pmmu_c_leak_demo_allocate(void) {
  char *block = malloc(2424);
  if (block == NULL) return;
  memset(block, 0x5a, 2424);
  sink = block;
  sink = NULL; /* the last pointer to the block is gone */
}

int main(void) {
  pmmu_c_leak_demo_allocate();
  return 0;
}
