/*
 * The baseline for bench/cuda-launch.bench.ts: cuLaunchKernel called directly from C on the same
 * PTX and entry. Opens libcuda.so.1 at run time like the addon does, so it builds without the CUDA
 * toolkit (gcc -O2 raw-launch.c -ldl).
 *
 *   raw-launch <ptx file> <entry> <iterations>
 *
 * Prints one JSON line:
 *   waitUs:    per launch, record event + cuLaunchKernel + record event + cuEventSynchronize +
 *              cuEventElapsedTime — exactly the driver work TensorWasm's CUDA device does per launch;
 *   enqueueUs: per launch when `iterations` launches are queued and synchronised once (the driver's
 *              raw enqueue rate, for reference).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int CUresult;
typedef void *Handle;

static CUresult (*cuInit)(unsigned);
static CUresult (*cuDeviceGet)(int *, int);
static CUresult (*cuDevicePrimaryCtxRetain)(Handle *, int);
static CUresult (*cuDevicePrimaryCtxRelease)(int);
static CUresult (*cuCtxSetCurrent)(Handle);
static CUresult (*cuCtxSynchronize)(void);
static CUresult (*cuModuleLoadData)(Handle *, const void *);
static CUresult (*cuModuleGetFunction)(Handle *, Handle, const char *);
static CUresult (*cuModuleUnload)(Handle);
static CUresult (*cuLaunchKernel)(Handle, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, Handle, void **, void **);
static CUresult (*cuEventCreate)(Handle *, unsigned);
static CUresult (*cuEventRecord)(Handle, Handle);
static CUresult (*cuEventSynchronize)(Handle);
static CUresult (*cuEventElapsedTime)(float *, Handle, Handle);
static CUresult (*cuEventDestroy)(Handle);

static void die(const char *what, CUresult r) {
  printf("{\"error\":\"%s failed with CUresult %d\"}\n", what, r);
  exit(1);
}

#define CHECK(call)                    \
  do {                                 \
    CUresult r_ = (call);              \
    if (r_ != 0) die(#call, r_);       \
  } while (0)

#define RESOLVE(lib, var, name)                                           \
  do {                                                                    \
    *(void **)&var = dlsym(lib, name);                                    \
    if (!var) {                                                           \
      printf("{\"error\":\"libcuda.so.1 has no %s\"}\n", name);           \
      return 1;                                                           \
    }                                                                     \
  } while (0)

static double nowUs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: raw-launch <ptx> <entry> <iterations>\n");
    return 2;
  }
  int iterations = atoi(argv[3]);
  FILE *f = fopen(argv[1], "rb");
  if (!f) {
    printf("{\"error\":\"cannot open %s\"}\n", argv[1]);
    return 1;
  }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *ptx = calloc(1, (size_t)size + 1);
  if (fread(ptx, 1, (size_t)size, f) != (size_t)size) return 1;
  fclose(f);

  void *lib = dlopen("libcuda.so.1", RTLD_NOW);
  if (!lib) {
    printf("{\"error\":\"libcuda.so.1 could not be loaded\"}\n");
    return 1;
  }
  RESOLVE(lib, cuInit, "cuInit");
  RESOLVE(lib, cuDeviceGet, "cuDeviceGet");
  RESOLVE(lib, cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  RESOLVE(lib, cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2");
  RESOLVE(lib, cuCtxSetCurrent, "cuCtxSetCurrent");
  RESOLVE(lib, cuCtxSynchronize, "cuCtxSynchronize");
  RESOLVE(lib, cuModuleLoadData, "cuModuleLoadDataEx");
  RESOLVE(lib, cuModuleGetFunction, "cuModuleGetFunction");
  RESOLVE(lib, cuModuleUnload, "cuModuleUnload");
  RESOLVE(lib, cuLaunchKernel, "cuLaunchKernel");
  RESOLVE(lib, cuEventCreate, "cuEventCreate");
  RESOLVE(lib, cuEventRecord, "cuEventRecord");
  RESOLVE(lib, cuEventSynchronize, "cuEventSynchronize");
  RESOLVE(lib, cuEventElapsedTime, "cuEventElapsedTime");
  RESOLVE(lib, cuEventDestroy, "cuEventDestroy_v2");

  int dev;
  Handle ctx, module, fn, start, stop;
  CHECK(cuInit(0));
  CHECK(cuDeviceGet(&dev, 0));
  CHECK(cuDevicePrimaryCtxRetain(&ctx, dev));
  CHECK(cuCtxSetCurrent(ctx));
  /* cuModuleLoadDataEx with no options (resolved above under that name) is cuModuleLoadData. */
  CHECK(((CUresult(*)(Handle *, const void *, unsigned, void *, void *))cuModuleLoadData)(&module, ptx, 0, NULL, NULL));
  CHECK(cuModuleGetFunction(&fn, module, argv[2]));
  CHECK(cuEventCreate(&start, 0));
  CHECK(cuEventCreate(&stop, 0));

  unsigned n = 0;
  void *params[] = {&n};
  float ms;
  for (int i = 0; i < 100; i++) CHECK(cuLaunchKernel(fn, 1, 1, 1, 1, 1, 1, 0, NULL, params, NULL)); /* warm-up */
  CHECK(cuCtxSynchronize());

  double t0 = nowUs();
  for (int i = 0; i < iterations; i++) {
    CHECK(cuEventRecord(start, NULL));
    CHECK(cuLaunchKernel(fn, 1, 1, 1, 1, 1, 1, 0, NULL, params, NULL));
    CHECK(cuEventRecord(stop, NULL));
    CHECK(cuEventSynchronize(stop));
    CHECK(cuEventElapsedTime(&ms, start, stop));
  }
  double waitUs = (nowUs() - t0) / iterations;

  t0 = nowUs();
  for (int i = 0; i < iterations; i++) CHECK(cuLaunchKernel(fn, 1, 1, 1, 1, 1, 1, 0, NULL, params, NULL));
  CHECK(cuCtxSynchronize());
  double enqueueUs = (nowUs() - t0) / iterations;

  CHECK(cuEventDestroy(start));
  CHECK(cuEventDestroy(stop));
  CHECK(cuModuleUnload(module));
  CHECK(cuCtxSetCurrent(NULL));
  CHECK(cuDevicePrimaryCtxRelease(dev));
  printf("{\"iterations\":%d,\"waitUs\":%.3f,\"enqueueUs\":%.3f}\n", iterations, waitUs, enqueueUs);
  return 0;
}
