// Kernels the CUDA device's tests and benchmark launch. The stub libcuda (native/stub) runs a CPU
// implementation of each entry by name, so the same PTX checks results here and on a real GPU.
extern "C" __global__ void vector_add(const float* a, const float* b, float* out, unsigned n) {
  unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = a[i] + b[i];
}

extern "C" __global__ void saxpy(float a, const float* x, float* y, unsigned n) {
  unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}

// Writes every scalar parameter back at the offset it has in the parameter buffer (0, 8, 16, 24,
// 32, 40), so a test can compare the bytes the guest passed with the bytes the kernel received.
extern "C" __global__ void pack_all(int a, long long b, float c, double d, unsigned e, unsigned long long f,
                                    unsigned char* out) {
  if (blockIdx.x == 0 && threadIdx.x == 0) {
    *(int*)(out + 0) = a;
    *(long long*)(out + 8) = b;
    *(float*)(out + 16) = c;
    *(double*)(out + 24) = d;
    *(unsigned*)(out + 32) = e;
    *(unsigned long long*)(out + 40) = f;
  }
}

// Does nothing: the launch-overhead benchmark's kernel.
extern "C" __global__ void noop(unsigned n) {}
