/* fixtures/bench-kernels/index3d.cu */
KERNEL(index3d) {
  const uint32_t* in = PTR(uint32_t, 0);
  uint32_t* out = PTR(uint32_t, 1);
  int nx = I32(2), ny = I32(3), nz = I32(4);
#pragma omp parallel for
  for (int z = 0; z < nz; z++)
    for (int y = 0; y < ny; y++)
      for (int x = 0; x < nx; x++) {
        size_t i = ((size_t)z * ny + y) * nx + x;
        out[i] = in[i] * 3u + x * 7u + y * 11u + z * 13u;
      }
}
