/* 256-bin byte histogram — fixtures/cuda/histogram.cu, single-threaded. */
#include "common.h"
int main(int argc, char** argv) {
  int n = atoi(argv[1]), reps = atoi(argv[2]);
  unsigned char* data = malloc(n);
  unsigned bins[256];
  unsigned x = 12345;
  for (int i = 0; i < n; i++) { x = x * 1103515245u + 12345u; data[i] = x >> 24; }
  BENCH(reps, {
    for (int b = 0; b < 256; b++) bins[b] = 0;
    for (int i = 0; i < n; i++) bins[data[i]]++;
    sink = bins[7];
  });
  return 0;
}
