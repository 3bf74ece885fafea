/* Per-256-element partial sums — the result fixtures/cuda/reduce_block.cu computes, single-threaded. */
#include "common.h"
int main(int argc, char** argv) {
  int n = atoi(argv[1]), reps = atoi(argv[2]);
  int blocks = (n + 255) / 256;
  float *in = malloc(n * 4), *out = malloc(blocks * 4);
  for (int i = 0; i < n; i++) in[i] = (i % 13) * 0.01f;
  BENCH(reps, {
    for (int b = 0; b < blocks; b++) {
      float s = 0.0f;
      for (int i = b * 256; i < b * 256 + 256 && i < n; i++) s += in[i];
      out[b] = s;
    }
    sink = out[0];
  });
  return 0;
}
