/* fixtures/bench-kernels/bitonic_sort.cu: the same compare-exchange network on each 1024-key block. */
KERNEL(bitonic_sort) {
  uint32_t* keys = PTR(uint32_t, 0);
  int blocks = I32(1);
#pragma omp parallel for
  for (int blk = 0; blk < blocks; blk++) {
    uint32_t* s = keys + (size_t)blk * 1024;
    for (unsigned k = 2; k <= 1024; k <<= 1)
      for (unsigned j = k >> 1; j > 0; j >>= 1)
        for (unsigned t = 0; t < 1024; t++) {
          unsigned p = t ^ j;
          if (p > t) {
            uint32_t a = s[t], b = s[p];
            int up = (t & k) == 0;
            if ((a > b) == up) { s[t] = b; s[p] = a; }
          }
        }
  }
}
