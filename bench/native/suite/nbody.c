/* fixtures/bench-kernels/nbody.cu: all pairs, in the kernel's order of j. */
KERNEL(nbody) {
  const float* pos = PTR(float, 0);
  float* acc = PTR(float, 1);
  int n = I32(2);
  float eps2 = F32(3);
#pragma omp parallel for
  for (int i = 0; i < n; i++) {
    float px = pos[4 * i], py = pos[4 * i + 1], pz = pos[4 * i + 2];
    float ax = 0.0f, ay = 0.0f, az = 0.0f;
    for (int j = 0; j < n; ++j) {
      float dx = pos[4 * j] - px, dy = pos[4 * j + 1] - py, dz = pos[4 * j + 2] - pz;
      float d2 = dx * dx + dy * dy + dz * dz + eps2;
      float inv = 1.0f / sqrtf(d2);
      float s = pos[4 * j + 3] * inv * inv * inv;
      ax += dx * s; ay += dy * s; az += dz * s;
    }
    acc[4 * i] = ax; acc[4 * i + 1] = ay; acc[4 * i + 2] = az; acc[4 * i + 3] = 0.0f;
  }
}
