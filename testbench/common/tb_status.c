/* The testbench's status convention (tb_status.h). */
#include "tb_status.h"

#include <stdarg.h>
#include <stdio.h>

int tb_fail(tb_error *err, int code, const char *fmt, ...) {
  if (!err) return code;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  err->code = code;
  return code;
}

const char *tb_status_name(int code) {
  switch (code) {
  case TB_OK: return "ok";
  case TB_EXPECT: return "expectation failed";
  case TB_MISMATCH: return "lockstep mismatch";
  case TB_HANG: return "the RTL hung";
  case TB_E_USAGE: return "bad usage";
  case TB_E_INPUT: return "bad input";
  case TB_E_UNAVAILABLE: return "not built";
  case TB_E_IO: return "input/output error";
  }
  return pmmu_strerror((pmmu_error)code);
}

int tb_exit_status(int code) {
  if (code == TB_OK) return 0;
  if (code == TB_EXPECT) return 1;
  if (code == TB_MISMATCH || code == TB_HANG) return 3;
  return 2;
}
