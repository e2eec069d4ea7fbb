// The thin C++ main of the DPI testbench (tb_pmmu_dpi.sv): Verilator's timing loop. The
// Verilated model's class and header come from the build (PMMU_TB_CLASS, PMMU_TB_HEADER): one
// testbench per TLB geometry and per mutant. The exit status is the C side's verdict
// (tb_stimulus.c). `verilator --binary --timing` builds the same testbench without this file
// (docs/dpi.md); CMake's verilate() wants a main of its own.
#include <cstdio>
#include <memory>

#include <verilated.h>

#include PMMU_TB_HEADER

extern "C" int pmmu_tb_exit_status(void);

int main(int argc, char **argv) {
  const std::unique_ptr<VerilatedContext> ctx{new VerilatedContext};
  ctx->commandArgs(argc, argv);
  ctx->fatalOnError(false); // an RTL assertion's $error is reported and the run goes on
  ctx->errorLimit(1 << 30); // and goes on after the first one too
  const std::unique_ptr<PMMU_TB_CLASS> top{new PMMU_TB_CLASS{ctx.get()}};
  while (!ctx->gotFinish()) {
    top->eval();
    if (!top->eventsPending()) break;
    ctx->time(top->nextTimeSlot());
  }
  top->final();
  int status = pmmu_tb_exit_status();
  if (status == 0 && ctx->errorCount() > 0) {
    std::printf("tb_pmmu_dpi: FAIL: %d assertion failures in the RTL\n", ctx->errorCount());
    status = 1;
  }
  return status;
}
