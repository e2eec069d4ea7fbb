// pmmu.h from C++: the library's version must be the header's, and a C++ caller gets
// pmmu_error back (not int) from every function that can fail.
#include <pmmu/pmmu.h>

#include <cstdio>
#include <cstring>
#include <type_traits>

static_assert(std::is_same<decltype(pmmu_create(nullptr, nullptr)), pmmu_error>::value,
              "pmmu_create returns pmmu_error");
static_assert(std::is_same<decltype(pmmu_translate(nullptr, nullptr, nullptr)), pmmu_error>::value,
              "pmmu_translate returns pmmu_error");

int main() {
  std::printf("pmmu %s from C++\n", pmmu_version());
  pmmu_t *m = nullptr;
  pmmu_error err = pmmu_create(nullptr, &m);
  std::printf("pmmu_create(NULL): %s (%s)\n", pmmu_error_name(err), pmmu_strerror(err));
  return std::strcmp(pmmu_version(), PMMU_VERSION_STRING) == 0 && err == PMMU_E_INVALID ? 0 : 1;
}
