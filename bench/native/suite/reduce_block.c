/* fixtures/cuda/reduce_block.cu: a shared-memory tree per 256-element block, in the kernel's order. */
KERNEL(reduce_block) {
  const float* in = PTR(float, 0);
  float* out = PTR(float, 1);
  int n = I32(2);
  int blocks = (n + 255) / 256;
#pragma omp parallel for
  for (int b = 0; b < blocks; b++) {
    float s[256];
    for (int t = 0; t < 256; t++) {
      unsigned i = (unsigned)b * 256 + t;
      s[t] = i < (unsigned)n ? in[i] : 0.0f;
    }
    for (unsigned stride = 128; stride > 0; stride >>= 1)
      for (unsigned t = 0; t < stride; t++) s[t] += s[t + stride];
    out[b] = s[0];
  }
}
