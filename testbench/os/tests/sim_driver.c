/* `pmmu sim` as a program of its own, for the tests (the pmmu CLI calls sim_main too). */
#include "sim_cli.h"

int main(int argc, char **argv) { return sim_main(argc - 1, argv + 1); }
