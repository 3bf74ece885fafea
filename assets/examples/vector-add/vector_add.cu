// out[i] = a[i] + b[i] — the guide's §4 kernel (argv: ptr a, ptr b, ptr out, u32 n).
extern "C" __global__ void vector_add(const float* a, const float* b, float* out, unsigned int n) {
  unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = a[i] + b[i];
}
