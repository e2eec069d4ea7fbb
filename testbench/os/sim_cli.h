/* `pmmu sim` (docs/os.md): the testbench OS running processes on an engine. */
#ifndef PMMU_OS_SIM_CLI_H
#define PMMU_OS_SIM_CLI_H

#ifdef __cplusplus
extern "C" {
#endif

/* argv[0] is the first option (the word "sim" already taken off). Returns the exit status:
 * 0 success, 1 the OS found its own state wrong, 2 bad usage or input, 3 the engines
 * disagreed. */
int sim_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif
