/* fixtures/bench-kernels/hash.cu */
KERNEL(hash) {
  const uint32_t* keys = PTR(uint32_t, 0);
  uint32_t* out = PTR(uint32_t, 1);
  int n = I32(2);
  uint32_t seed = U32(3);
#pragma omp parallel for
  for (int i = 0; i < n; i++) {
    uint32_t h = keys[i] ^ seed;
    for (int r = 0; r < 16; ++r) {
      h ^= h >> 16; h *= 0x85ebca6bu;
      h ^= h >> 13; h *= 0xc2b2ae35u;
      h ^= h >> 16;
      h += (h << 5) ^ (uint32_t)r;
    }
    out[i] = h;
  }
}
