/* fixtures/bench-kernels/bit_ops.cu */
static uint32_t bo_brev(uint32_t x) {
  x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
  x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
  x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
  return __builtin_bswap32(x);
}
KERNEL(bit_ops) {
  const uint32_t *a = PTR(uint32_t, 0), *b = PTR(uint32_t, 1);
  uint64_t* out = PTR(uint64_t, 2);
  int n = I32(3);
#pragma omp parallel for
  for (int i = 0; i < n; i++) {
    uint32_t x = a[i], y = b[i];
    uint32_t r = bo_brev(x) ^ ((x << 7) | (x >> 25)) ^ ((y >> (x & 15)) & 0xffu);
    uint32_t c = (uint32_t)__builtin_popcount(x & y) + (uint32_t)__builtin_clz(x | 1u) * 33u;
    uint64_t w = ((uint64_t)r << 32) | (y ^ c);
    w ^= w >> 29;
    out[i] = w * 0x9e3779b97f4a7c15ull + (uint64_t)__builtin_popcountll(w);
  }
}
