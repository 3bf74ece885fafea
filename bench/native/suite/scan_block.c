/* fixtures/bench-kernels/scan_block.cu: Hillis-Steele steps over each 512-element block, double-buffered. */
KERNEL(scan_block) {
  const uint32_t* in = PTR(uint32_t, 0);
  uint32_t* out = PTR(uint32_t, 1);
  int n = I32(2);
  int blocks = (n + 511) / 512;
#pragma omp parallel for
  for (int b = 0; b < blocks; b++) {
    uint32_t buf[2][512];
    int src = 0;
    for (int t = 0; t < 512; t++) buf[0][t] = b * 512 + t < n ? in[b * 512 + t] : 0u;
    for (int off = 1; off < 512; off <<= 1) {
      for (int t = 0; t < 512; t++) buf[src ^ 1][t] = buf[src][t] + (t >= off ? buf[src][t - off] : 0u);
      src ^= 1;
    }
    for (int t = 0; t < 512 && b * 512 + t < n; t++) out[b * 512 + t] = buf[src][t];
  }
}
