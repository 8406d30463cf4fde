/* The machine the unit tests and the fuzzers run the core on (tests/unit/host_machine.c). */
#ifndef GOHV_TESTS_HOST_MACHINE_H
#define GOHV_TESTS_HOST_MACHINE_H

/* A machine of ncpus CPUs (ids 0..ncpus-1, each with the H extension and Sstc, online; CPU 0
 * boots and is this thread's) at time 1000000 with a 10 MHz timebase; the host port's state is
 * cleared. The caller has cleared hv. */
void host_machine_init(unsigned ncpus);

#endif
