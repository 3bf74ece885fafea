// Kernels for a guest that chains several launches: scale in place, then a block sum through
// dynamic shared memory (launched twice: per-block partial sums, then the sum of the partials).

extern "C" __global__ void scale(float* x, float s, unsigned int n) {
  for (unsigned int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) x[i] *= s;
}

// blockDim.x must be a power of two; shared_mem = blockDim.x * sizeof(float).
extern "C" __global__ void block_sum(const float* in, float* out, unsigned int n) {
  extern __shared__ float partial[];
  unsigned int tid = threadIdx.x;
  unsigned int i = blockIdx.x * blockDim.x + tid;
  partial[tid] = i < n ? in[i] : 0.0f;
  __syncthreads();
  for (unsigned int stride = blockDim.x / 2; stride > 0; stride >>= 1) {
    if (tid < stride) partial[tid] += partial[tid + stride];
    __syncthreads();
  }
  if (tid == 0) out[blockIdx.x] = partial[0];
}
