/* Shared timing helper for the native baselines: runs the kernel `reps` times, prints the median ns. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: stable on a shared machine */
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}
static int cmp_double(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}
/* Defeats dead-code elimination of results. */
static volatile double sink;
#define BENCH(reps, body)                                   \
  do {                                                      \
    double times[64];                                       \
    int r_ = (reps) > 64 ? 64 : (reps);                     \
    for (int rep = 0; rep < r_; rep++) {                    \
      double t0 = now_ns();                                 \
      body;                                                 \
      times[rep] = now_ns() - t0;                           \
    }                                                       \
    qsort(times, r_, sizeof(double), cmp_double);           \
    printf("%.0f\n", times[r_ / 2]);                        \
  } while (0)
