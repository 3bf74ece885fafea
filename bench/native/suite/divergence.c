/* fixtures/bench-kernels/divergence.cu */
KERNEL(divergence) {
  const uint32_t* in = PTR(uint32_t, 0);
  uint32_t* out = PTR(uint32_t, 1);
  int n = I32(2);
#pragma omp parallel for schedule(dynamic, 4096)
  for (int i = 0; i < n; i++) {
    uint32_t v = in[i];
    switch (i & 3) {
      case 0:
        for (uint32_t k = 0; k < (v & 31); ++k) v = v * 1664525u + 1013904223u;
        break;
      case 1:
        while (v > 1 && v < 0x40000000u) v = (v & 1) ? 3 * v + 1 : v >> 1;
        break;
      case 2:
        if (v & 0x100) v ^= v >> 7; else v += v << 3;
        break;
      default:
        for (uint32_t k = 0; k < (v >> 27); ++k) v ^= (v << 13) | (v >> 19);
    }
    out[i] = v;
  }
}
