/*
 * fixtures/bench-kernels/mandelbrot.cu. The kernel rounds each step explicitly (fmaf, __fmul_rn,
 * __fadd_rn); with contraction off here, gcc rounds it the same way, so the counts match exactly.
 */
__attribute__((optimize("fp-contract=off"))) KERNEL(mandelbrot) {
  uint32_t* iters = PTR(uint32_t, 0);
  int w = I32(1), h = I32(2);
  float x0 = F32(3), y0 = F32(4), step = F32(5);
  int max_iter = I32(6);
#pragma omp parallel for schedule(dynamic, 4)
  for (int py = 0; py < h; py++)
    for (int px = 0; px < w; px++) {
      float cx = fmaf((float)px, step, x0), cy = fmaf((float)py, step, y0);
      float x = 0.0f, y = 0.0f;
      int k = 0;
      while (k < max_iter && x * x + y * y <= 4.0f) {
        float xt = fmaf(x, x, fmaf(-y, y, cx));
        y = fmaf(x + x, y, cy);
        x = xt;
        ++k;
      }
      iters[py * w + px] = (uint32_t)k;
    }
}
