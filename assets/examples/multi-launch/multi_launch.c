/*
 * Several launches in one call: scale x by s in place, sum it per block through dynamic shared
 * memory, then sum the partials with one more block; one sync at the end. Values are small
 * integers so every float sum is exact and the check needs no tolerance.
 */
#include "wasi_cuda.h"
#include "multi.ptx.h"

#define MAX_N (1 << 20)
#define BLOCK 256
static float x[MAX_N];
static float partial[MAX_N / BLOCK];
static float total[1];

EXPORT(run_multi) int32_t run_multi(int32_t n, int32_t s) {
  if (n < 1 || n > MAX_N) return -100;
  int64_t scale = load_kernel(multi_ptx, multi_ptx_len, "scale");
  int64_t sum = load_kernel(multi_ptx, multi_ptx_len, "block_sum");
  if (scale < 0) return (int32_t)scale;
  if (sum < 0) return (int32_t)sum;
  if (scale == sum) return -201;
  if (load_kernel(multi_ptx, multi_ptx_len, "scale") != scale) return -202;

  double want = 0;
  for (int32_t i = 0; i < n; i++) {
    x[i] = (float)(i % 7);
    want += (double)(i % 7) * s;
  }
  int32_t blocks = (n + BLOCK - 1) / BLOCK;
  argv_t a1 = {0};
  argv_ptr(&a1, x, (uint32_t)n * 4);
  argv_f32(&a1, (float)s);
  argv_u32(&a1, (uint32_t)n);
  int32_t rc = launch_1d(scale, 64, 128, 0, &a1);
  if (rc != 0) return rc;

  argv_t a2 = {0};
  argv_ptr(&a2, x, (uint32_t)n * 4);
  argv_ptr(&a2, partial, (uint32_t)blocks * 4);
  argv_u32(&a2, (uint32_t)n);
  rc = launch_1d(sum, blocks, BLOCK, BLOCK * 4, &a2);
  if (rc != 0) return rc;

  /* The second reduction needs one block that covers every partial: the next power of two. */
  int32_t threads = 1;
  while (threads < blocks) threads <<= 1;
  if (threads > 1024) return -203;
  argv_t a3 = {0};
  argv_ptr(&a3, partial, (uint32_t)blocks * 4);
  argv_ptr(&a3, total, 4);
  argv_u32(&a3, (uint32_t)blocks);
  rc = launch_1d(sum, 1, threads, threads * 4, &a3);
  if (rc != 0) return rc;
  rc = wasi_cuda_sync();
  if (rc != 0) return rc;

  for (int32_t i = 0; i < n; i++)
    if (x[i] != (float)((i % 7) * s)) return 1 + i;
  if ((double)total[0] != want) return -204;
  return 0;
}
