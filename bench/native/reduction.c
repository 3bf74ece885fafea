/*
 * fixtures/cuda/reduce_block.cu as plain C, single-threaded: the same kernel, each __syncthreads()
 * phase a loop over the threads that work in it (as bench/native/matmul_tiled.c keeps its kernel's
 * tiles). It computes the kernel's exact result — the tree order of additions; a sequential sum
 * (this baseline until 2026-12) rounds differently and does a different amount of work.
 */
#include "common.h"
#define BLOCK 256
int main(int argc, char** argv) {
  int n = atoi(argv[1]), reps = atoi(argv[2]);
  int blocks = (n + BLOCK - 1) / BLOCK;
  float *in = malloc(n * 4), *out = malloc(blocks * 4);
  float s[BLOCK];
  for (int i = 0; i < n; i++) in[i] = (i % 13) * 0.01f;
  BENCH(reps, {
    for (int b = 0; b < blocks; b++) {
      for (int t = 0; t < BLOCK; t++) {
        unsigned i = (unsigned)b * BLOCK + t;
        s[t] = i < (unsigned)n ? in[i] : 0.0f;
      }
      for (unsigned stride = BLOCK / 2; stride > 0; stride >>= 1)
        for (unsigned t = 0; t < stride; t++) s[t] += s[t + stride]; /* the threads with t < stride */
      out[b] = s[0];
    }
    sink = out[0];
  });
  return 0;
}
