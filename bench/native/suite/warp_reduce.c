/* fixtures/bench-kernels/warp_reduce.cu: the shuffle tree (lane l adds lane l + off), per warp, then over the 8 warp sums. */
static float wr_warp_sum(float* v) {
  for (int off = 16; off > 0; off >>= 1)
    for (int l = 0; l < off; l++) v[l] += v[l + off];
  return v[0];
}
KERNEL(warp_reduce) {
  const float* in = PTR(float, 0);
  float* out = PTR(float, 1);
  int n = I32(2);
  int blocks = (n + 255) / 256;
#pragma omp parallel for
  for (int b = 0; b < blocks; b++) {
    float partial[32] = {0}, v[32];
    for (int w = 0; w < 8; w++) {
      for (int l = 0; l < 32; l++) {
        int i = b * 256 + w * 32 + l;
        v[l] = i < n ? in[i] : 0.0f;
      }
      partial[w] = wr_warp_sum(v);
    }
    out[b] = wr_warp_sum(partial);
  }
}
