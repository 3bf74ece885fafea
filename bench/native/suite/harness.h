/*
 * The native side of bench/cpu-device.bench.ts: each kernel of the bench as plain C, the CUDA
 * kernel's algorithm with its threads as loops (a block's barrier phases as loops over the block's
 * threads), on the same memory image the CPU device gets. Compiled twice by bench/cpu-suite/native.ts:
 * without -fopenmp (one thread: the `omp` pragmas are ignored) and with it (all cores).
 *
 *   suite <kernel> <image-in> <image-out|-> <reps> <arg>...
 * reads the guest memory image, runs the kernel `reps` times (each on a fresh copy of the image,
 * the copy not timed), prints the median wall time in ns, and writes the image after the last
 * run to <image-out>. Each <arg> is a pointer argument's byte offset into the image or a scalar's
 * value, in the kernel's parameter order.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  uint8_t* mem;
  const double* a;
} Args;
#define PTR(T, i) ((T*)(args->mem + (size_t)args->a[i]))
#define I32(i) ((int)args->a[i])
#define U32(i) ((uint32_t)args->a[i])
#define F32(i) ((float)args->a[i])
#define KERNEL(name) static void name(const Args* args)
