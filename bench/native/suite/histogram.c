/* fixtures/cuda/histogram.cu: private histograms (a block's shared one), then added to the global bins. */
KERNEL(histogram) {
  const uint8_t* data = PTR(uint8_t, 0);
  uint32_t* bins = PTR(uint32_t, 1);
  int n = I32(2);
#pragma omp parallel
  {
    uint32_t local[256] = {0};
#pragma omp for nowait
    for (int i = 0; i < n; i++) local[data[i]]++;
    for (int b = 0; b < 256; b++)
      if (local[b]) {
#pragma omp atomic
        bins[b] += local[b];
      }
  }
}
