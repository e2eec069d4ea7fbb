/* `pmmu sim` as a program of its own, for the tests (the pmmu CLI runs the same cmd_sim). */
#include "cli.h"

int main(int argc, char **argv) { return cmd_sim(argc - 1, argv + 1); }
