/*
 * A stand-in for the NVIDIA driver (libcuda.so.1) so the CUDA addon can be tested on machines
 * without a GPU. The tests build it with gcc into a temp folder as libcuda.so.1 and load it through
 * LD_LIBRARY_PATH in a child process.
 *
 * - TW_STUB_DEVICES=N         number of devices (default 1); device 0 is an H100, others A100s.
 * - TW_STUB_DRIVER_VERSION=V  cuDriverGetVersion (default 13000).
 * - TW_STUB_PTX_MAX=M.m       newest PTX ISA the "JIT" accepts (default 9.0); newer -> error 222.
 * - TW_STUB_LOG=path          every call appended as one line; a summary line at exit.
 * - TW_STUB_FAIL=spec         make calls fail: `cuMemAlloc_v2=2,cuLaunchKernel=719@3` (the third
 *                             call only). Re-read on every call, so a test can change it mid-run.
 * - PTX containing TW_STUB_JIT_ERROR fails to load with CUDA_ERROR_INVALID_PTX and a JIT error log.
 *
 * "Device memory" is host memory (malloc); every copy and kernel pointer is checked against the
 * live allocations. Known entries (vector_add, saxpy, pack_all, noop) run a CPU implementation.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

#define OK 0
#define E_INVALID_VALUE 1
#define E_NOT_INITIALIZED 3
#define E_NO_DEVICE 100
#define E_INVALID_DEVICE 101
#define E_INVALID_CONTEXT 201
#define E_INVALID_PTX 218
#define E_UNSUPPORTED_PTX_VERSION 222
#define E_INVALID_HANDLE 400
#define E_NOT_FOUND 500
#define E_ILLEGAL_ADDRESS 700
#define E_NOT_SUPPORTED 801

#define EXPORT __attribute__((visibility("default")))

/* ---- error names (cuda.h) ---- */
static const struct { int code; const char *name, *text; } kErrors[] = {
    {0, "CUDA_SUCCESS", "no error"},
    {1, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {2, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {3, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {4, "CUDA_ERROR_DEINITIALIZED", "driver shutting down"},
    {34, "CUDA_ERROR_STUB_LIBRARY", "CUDA driver is a stub library"},
    {35, "CUDA_ERROR_INSUFFICIENT_DRIVER", "CUDA driver version is insufficient for CUDA runtime version"},
    {46, "CUDA_ERROR_DEVICE_UNAVAILABLE", "CUDA-capable device(s) is/are busy or unavailable"},
    {100, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {101, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {200, "CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid"},
    {201, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {209, "CUDA_ERROR_NO_BINARY_FOR_GPU", "no kernel image is available for execution on the device"},
    {218, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
    {221, "CUDA_ERROR_JIT_COMPILER_NOT_FOUND", "PTX JIT compiler library not found"},
    {222, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION", "the provided PTX was compiled with an unsupported toolchain."},
    {223, "CUDA_ERROR_JIT_COMPILATION_DISABLED", "PTX JIT compilation was disabled"},
    {400, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {500, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {700, "CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered"},
    {701, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", "too many resources requested for launch"},
    {702, "CUDA_ERROR_LAUNCH_TIMEOUT", "the launch timed out and was terminated"},
    {710, "CUDA_ERROR_ASSERT", "device-side assert triggered"},
    {714, "CUDA_ERROR_HARDWARE_STACK_ERROR", "hardware stack error"},
    {715, "CUDA_ERROR_ILLEGAL_INSTRUCTION", "an illegal instruction was encountered"},
    {716, "CUDA_ERROR_MISALIGNED_ADDRESS", "misaligned address"},
    {717, "CUDA_ERROR_INVALID_ADDRESS_SPACE", "operation not supported on global/shared address space"},
    {718, "CUDA_ERROR_INVALID_PC", "invalid program counter"},
    {719, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
    {720, "CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE", "too many blocks in cooperative launch"},
    {801, "CUDA_ERROR_NOT_SUPPORTED", "operation not supported"},
    {999, "CUDA_ERROR_UNKNOWN", "unknown error"},
};

/* ---- state ---- */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int initialized = 0;
static FILE *logFile = NULL;
static int logOpened = 0;
static long allocs = 0, frees = 0, retains = 0, releases = 0, modulesLoaded = 0, modulesUnloaded = 0;
static long eventsCreated = 0, eventsDestroyed = 0, launches = 0;

typedef struct Alloc { uint8_t *base; size_t size; struct Alloc *next; } Alloc;
static Alloc *allocList = NULL;

typedef struct Ctx { int device; int refs; } Ctx;
static Ctx contexts[8];
static __thread Ctx *current = NULL;

typedef struct Func { char name[128]; struct Module *module; } Func;
typedef struct Module { int entryCount; char entries[32][128]; Func funcs[32]; int unloaded; } Module;

typedef struct Event { double ms; int recorded; } Event;

static double nowMs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void logLine(const char *fmt, ...) {
  pthread_mutex_lock(&lock);
  if (!logOpened) {
    logOpened = 1;
    const char *path = getenv("TW_STUB_LOG");
    if (path && *path) logFile = fopen(path, "a");
  }
  if (logFile) {
    va_list ap;
    va_start(ap, fmt);
    vfprintf(logFile, fmt, ap);
    va_end(ap);
    fputc('\n', logFile);
    fflush(logFile);
  }
  pthread_mutex_unlock(&lock);
}

__attribute__((destructor)) static void summary(void) {
  logLine("summary allocs=%ld frees=%ld retains=%ld releases=%ld modules=%ld unloaded=%ld events=%ld destroyed=%ld launches=%ld",
          allocs, frees, retains, releases, modulesLoaded, modulesUnloaded, eventsCreated, eventsDestroyed, launches);
}

/* ---- failure injection: TW_STUB_FAIL="name=code[@n],..." ---- */
#define MAX_COUNTED 64
static char failSpec[1024];
static struct { char name[64]; long calls; } counters[MAX_COUNTED];
static int counterCount = 0;

static CUresult injected(const char *name) {
  const char *spec = getenv("TW_STUB_FAIL");
  if (!spec) spec = "";
  pthread_mutex_lock(&lock);
  if (strncmp(spec, failSpec, sizeof failSpec) != 0) { /* a new spec restarts the counts */
    snprintf(failSpec, sizeof failSpec, "%s", spec);
    counterCount = 0;
  }
  long calls = 0;
  int i;
  for (i = 0; i < counterCount; i++)
    if (strcmp(counters[i].name, name) == 0) break;
  if (i == counterCount && counterCount < MAX_COUNTED) {
    snprintf(counters[i].name, sizeof counters[i].name, "%s", name);
    counters[i].calls = 0;
    counterCount++;
  }
  if (i < MAX_COUNTED) calls = ++counters[i].calls;
  pthread_mutex_unlock(&lock);

  size_t len = strlen(name);
  const char *p = spec;
  while (*p) {
    const char *end = strchr(p, ',');
    if (!end) end = p + strlen(p);
    if ((size_t)(end - p) > len && strncmp(p, name, len) == 0 && p[len] == '=') {
      char *rest;
      long code = strtol(p + len + 1, &rest, 10);
      long nth = 0;
      if (*rest == '@') nth = strtol(rest + 1, NULL, 10);
      if (nth == 0 || nth == calls) {
        logLine("%s -> injected %ld", name, code);
        return (CUresult)code;
      }
    }
    p = *end ? end + 1 : end;
  }
  return OK;
}

#define INJECT(name)                     \
  do {                                   \
    CUresult _r = injected(name);        \
    if (_r != OK) return _r;             \
  } while (0)

#define NEED_CONTEXT(name)                                   \
  do {                                                       \
    if (!current) {                                          \
      logLine("%s -> no current context", name);            \
      return E_INVALID_CONTEXT;                              \
    }                                                        \
  } while (0)

static int deviceCount(void) {
  const char *v = getenv("TW_STUB_DEVICES");
  int n = v ? atoi(v) : 1;
  return n < 0 ? 0 : n > 8 ? 8 : n;
}

/* Returns the allocation holding [p, p+len), or NULL. */
static Alloc *findAlloc(CUdeviceptr p, size_t len) {
  Alloc *found = NULL;
  pthread_mutex_lock(&lock);
  for (Alloc *a = allocList; a; a = a->next) {
    uintptr_t base = (uintptr_t)a->base;
    if (p >= base && p - base <= a->size && len <= a->size - (p - base)) { found = a; break; }
  }
  pthread_mutex_unlock(&lock);
  return found;
}

/* ---- discovery ---- */
EXPORT CUresult cuInit(unsigned flags) {
  INJECT("cuInit");
  initialized = 1;
  logLine("cuInit flags=%u", flags);
  return OK;
}

EXPORT CUresult cuDriverGetVersion(int *v) {
  INJECT("cuDriverGetVersion");
  const char *s = getenv("TW_STUB_DRIVER_VERSION");
  *v = s ? atoi(s) : 13000;
  logLine("cuDriverGetVersion -> %d", *v);
  return OK;
}

EXPORT CUresult cuDeviceGetCount(int *n) {
  INJECT("cuDeviceGetCount");
  if (!initialized) return E_NOT_INITIALIZED;
  *n = deviceCount();
  logLine("cuDeviceGetCount -> %d", *n);
  return OK;
}

EXPORT CUresult cuDeviceGet(CUdevice *d, int ordinal) {
  INJECT("cuDeviceGet");
  if (!initialized) return E_NOT_INITIALIZED;
  if (ordinal < 0 || ordinal >= deviceCount()) return E_INVALID_DEVICE;
  *d = ordinal;
  logLine("cuDeviceGet ordinal=%d", ordinal);
  return OK;
}

EXPORT CUresult cuDeviceGetName(char *name, int len, CUdevice d) {
  INJECT("cuDeviceGetName");
  if (d < 0 || d >= deviceCount()) return E_INVALID_DEVICE;
  snprintf(name, (size_t)len, "%s", d == 0 ? "NVIDIA H100 80GB HBM3" : "NVIDIA A100-SXM4-40GB");
  return OK;
}

EXPORT CUresult cuDeviceGetAttribute(int *value, int attr, CUdevice d) {
  INJECT("cuDeviceGetAttribute");
  if (d < 0 || d >= deviceCount()) return E_INVALID_DEVICE;
  switch (attr) {
    case 1: *value = 1024; break;                 /* max threads per block */
    case 8: *value = 49152; break;                /* max shared memory per block */
    case 16: *value = d == 0 ? 132 : 108; break;  /* multiprocessors */
    case 75: *value = d == 0 ? 9 : 8; break;      /* compute capability major */
    case 76: *value = 0; break;                   /* minor */
    default: return E_INVALID_VALUE;
  }
  return OK;
}

EXPORT CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice d) {
  INJECT("cuDeviceTotalMem_v2");
  if (d < 0 || d >= deviceCount()) return E_INVALID_DEVICE;
  *bytes = d == 0 ? 85520809984ull : 42298834944ull;
  return OK;
}

/* ---- contexts ---- */
EXPORT CUresult cuDevicePrimaryCtxRetain(void **ctx, CUdevice d) {
  INJECT("cuDevicePrimaryCtxRetain");
  if (d < 0 || d >= deviceCount()) return E_INVALID_DEVICE;
  pthread_mutex_lock(&lock);
  contexts[d].device = d;
  contexts[d].refs++;
  retains++;
  pthread_mutex_unlock(&lock);
  *ctx = &contexts[d];
  logLine("cuDevicePrimaryCtxRetain device=%d", d);
  return OK;
}

EXPORT CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d) {
  INJECT("cuDevicePrimaryCtxRelease_v2");
  if (d < 0 || d >= deviceCount()) return E_INVALID_DEVICE;
  pthread_mutex_lock(&lock);
  int bad = contexts[d].refs <= 0;
  if (!bad) { contexts[d].refs--; releases++; }
  pthread_mutex_unlock(&lock);
  logLine("cuDevicePrimaryCtxRelease_v2 device=%d%s", d, bad ? " -> not retained" : "");
  return bad ? E_INVALID_CONTEXT : OK;
}

EXPORT CUresult cuCtxSetCurrent(void *ctx) {
  INJECT("cuCtxSetCurrent");
  current = (Ctx *)ctx;
  return OK;
}

EXPORT CUresult cuCtxSynchronize(void) {
  INJECT("cuCtxSynchronize");
  NEED_CONTEXT("cuCtxSynchronize");
  logLine("cuCtxSynchronize");
  return OK;
}

/* ---- modules ---- */
static double ptxVersion(const char *ptx) {
  const char *v = strstr(ptx, ".version");
  return v ? strtod(v + 8, NULL) : 0;
}

static void writeLog(void **values, unsigned n, int *options, int bufOpt, int sizeOpt, const char *text) {
  char *buf = NULL;
  uintptr_t size = 0;
  int sizeIndex = -1;
  for (unsigned i = 0; i < n; i++) {
    if (options[i] == bufOpt) buf = (char *)values[i];
    if (options[i] == sizeOpt) { size = (uintptr_t)values[i]; sizeIndex = (int)i; }
  }
  if (!buf || size == 0) return;
  snprintf(buf, size, "%s", text);
  if (sizeIndex >= 0) values[sizeIndex] = (void *)(uintptr_t)(strlen(buf) + 1);
}

EXPORT CUresult cuModuleLoadDataEx(void **module, const void *image, unsigned n, int *options, void **values) {
  INJECT("cuModuleLoadDataEx");
  NEED_CONTEXT("cuModuleLoadDataEx");
  const char *ptx = (const char *)image;
  const char *maxText = getenv("TW_STUB_PTX_MAX");
  double max = maxText ? strtod(maxText, NULL) : 9.0;
  double version = ptxVersion(ptx);
  char log[512];
  if (version > max + 1e-9) {
    snprintf(log, sizeof log, "ptxas application ptx input, line 9; fatal   : Unsupported .version %.1f; current version is '%.1f'", version, max);
    writeLog(values, n, options, 5, 6, log);
    logLine("cuModuleLoadDataEx -> 222 (.version %.1f > %.1f)", version, max);
    return E_UNSUPPORTED_PTX_VERSION;
  }
  const char *marker = strstr(ptx, "TW_STUB_JIT_ERROR");
  if (marker || !strstr(ptx, ".entry")) {
    int line = 1;
    for (const char *c = ptx; marker && c < marker; c++) line += *c == '\n';
    if (marker)
      snprintf(log, sizeof log, "ptxas application ptx input, line %d; error   : Unknown symbol 'TW_STUB_JIT_ERROR'\nptxas fatal   : Ptx assembly aborted due to errors", line);
    else
      snprintf(log, sizeof log, "ptxas fatal   : no .entry found in the PTX");
    writeLog(values, n, options, 5, 6, log);
    logLine("cuModuleLoadDataEx -> 218");
    return E_INVALID_PTX;
  }
  Module *m = calloc(1, sizeof *m);
  for (const char *e = strstr(ptx, ".entry"); e && m->entryCount < 32; e = strstr(e + 6, ".entry")) {
    const char *s = e + 6;
    while (*s == ' ' || *s == '\t') s++;
    int k = 0;
    while (s[k] && s[k] != '(' && s[k] != ' ' && s[k] != '\n' && s[k] != '\t' && k < 127) k++;
    memcpy(m->entries[m->entryCount], s, (size_t)k);
    m->entries[m->entryCount][k] = 0;
    m->entryCount++;
  }
  writeLog(values, n, options, 3, 4, "ptxas info    : 0 bytes gmem");
  pthread_mutex_lock(&lock);
  modulesLoaded++;
  pthread_mutex_unlock(&lock);
  *module = m;
  logLine("cuModuleLoadDataEx entries=%d", m->entryCount);
  return OK;
}

EXPORT CUresult cuModuleUnload(void *module) {
  INJECT("cuModuleUnload");
  Module *m = (Module *)module;
  if (!m || m->unloaded) return E_INVALID_HANDLE;
  m->unloaded = 1; /* kept allocated so a use after unload is detected, not a crash */
  pthread_mutex_lock(&lock);
  modulesUnloaded++;
  pthread_mutex_unlock(&lock);
  logLine("cuModuleUnload");
  return OK;
}

EXPORT CUresult cuModuleGetFunction(void **fn, void *module, const char *name) {
  INJECT("cuModuleGetFunction");
  NEED_CONTEXT("cuModuleGetFunction");
  Module *m = (Module *)module;
  if (!m || m->unloaded) return E_INVALID_HANDLE;
  for (int i = 0; i < m->entryCount; i++) {
    if (strcmp(m->entries[i], name) == 0) {
      snprintf(m->funcs[i].name, sizeof m->funcs[i].name, "%s", name);
      m->funcs[i].module = m;
      *fn = &m->funcs[i];
      logLine("cuModuleGetFunction %s", name);
      return OK;
    }
  }
  logLine("cuModuleGetFunction %s -> 500", name);
  return E_NOT_FOUND;
}

/* ---- memory ---- */
EXPORT CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t size) {
  INJECT("cuMemAlloc_v2");
  NEED_CONTEXT("cuMemAlloc_v2");
  if (size == 0) return E_INVALID_VALUE;
  Alloc *a = malloc(sizeof *a);
  a->base = malloc(size);
  if (!a->base) { free(a); return 2; }
  memset(a->base, 0xCD, size); /* garbage, so a missing host->device copy shows */
  a->size = size;
  pthread_mutex_lock(&lock);
  a->next = allocList;
  allocList = a;
  allocs++;
  pthread_mutex_unlock(&lock);
  *p = (CUdeviceptr)(uintptr_t)a->base;
  logLine("cuMemAlloc_v2 size=%zu -> 0x%llx", size, *p);
  return OK;
}

EXPORT CUresult cuMemFree_v2(CUdeviceptr p) {
  INJECT("cuMemFree_v2");
  NEED_CONTEXT("cuMemFree_v2");
  pthread_mutex_lock(&lock);
  Alloc **link = &allocList;
  while (*link && (uintptr_t)(*link)->base != p) link = &(*link)->next;
  Alloc *a = *link;
  if (a) { *link = a->next; frees++; }
  pthread_mutex_unlock(&lock);
  if (!a) { logLine("cuMemFree_v2 0x%llx -> not allocated", p); return E_INVALID_VALUE; }
  logLine("cuMemFree_v2 0x%llx size=%zu", p, a->size);
  free(a->base);
  free(a);
  return OK;
}

EXPORT CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t n) {
  INJECT("cuMemcpyHtoD_v2");
  NEED_CONTEXT("cuMemcpyHtoD_v2");
  if (!findAlloc(dst, n)) { logLine("cuMemcpyHtoD_v2 0x%llx +%zu -> out of range", dst, n); return E_INVALID_VALUE; }
  memcpy((void *)(uintptr_t)dst, src, n);
  logLine("cuMemcpyHtoD_v2 dst=0x%llx bytes=%zu", dst, n);
  return OK;
}

EXPORT CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t n) {
  INJECT("cuMemcpyDtoH_v2");
  NEED_CONTEXT("cuMemcpyDtoH_v2");
  if (!findAlloc(src, n)) { logLine("cuMemcpyDtoH_v2 0x%llx +%zu -> out of range", src, n); return E_INVALID_VALUE; }
  memcpy(dst, (const void *)(uintptr_t)src, n);
  logLine("cuMemcpyDtoH_v2 src=0x%llx bytes=%zu", src, n);
  return OK;
}

EXPORT CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t n) {
  INJECT("cuMemcpyDtoD_v2");
  NEED_CONTEXT("cuMemcpyDtoD_v2");
  if (!findAlloc(dst, n) || !findAlloc(src, n)) return E_INVALID_VALUE;
  memmove((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, n);
  logLine("cuMemcpyDtoD_v2 dst=0x%llx src=0x%llx bytes=%zu", dst, src, n);
  return OK;
}

/* ---- events ---- */
EXPORT CUresult cuEventCreate(void **ev, unsigned flags) {
  INJECT("cuEventCreate");
  NEED_CONTEXT("cuEventCreate");
  *ev = calloc(1, sizeof(Event));
  pthread_mutex_lock(&lock);
  eventsCreated++;
  pthread_mutex_unlock(&lock);
  return OK;
}

EXPORT CUresult cuEventRecord(void *ev, void *stream) {
  INJECT("cuEventRecord");
  NEED_CONTEXT("cuEventRecord");
  ((Event *)ev)->ms = nowMs();
  ((Event *)ev)->recorded = 1;
  return OK;
}

EXPORT CUresult cuEventSynchronize(void *ev) {
  INJECT("cuEventSynchronize");
  return ((Event *)ev)->recorded ? OK : E_INVALID_HANDLE;
}

EXPORT CUresult cuEventElapsedTime(float *ms, void *start, void *stop) {
  INJECT("cuEventElapsedTime");
  *ms = (float)(((Event *)stop)->ms - ((Event *)start)->ms);
  return OK;
}

EXPORT CUresult cuEventDestroy_v2(void *ev) {
  INJECT("cuEventDestroy_v2");
  free(ev);
  pthread_mutex_lock(&lock);
  eventsDestroyed++;
  pthread_mutex_unlock(&lock);
  return OK;
}

/* ---- launches ---- */
/* Parameter sizes of the known entries, in declaration order (natural alignment). */
static const struct { const char *name; int count; int sizes[8]; } kKernels[] = {
    {"vector_add", 4, {8, 8, 8, 4}},
    {"saxpy", 4, {4, 8, 8, 4}},
    {"pack_all", 7, {4, 8, 4, 8, 4, 8, 8}},
    {"noop", 1, {4}},
};

static int paramOffsets(const char *name, int *offsets, int *sizes, int *count) {
  for (size_t k = 0; k < sizeof kKernels / sizeof kKernels[0]; k++) {
    if (strcmp(kKernels[k].name, name) != 0) continue;
    int off = 0;
    for (int i = 0; i < kKernels[k].count; i++) {
      int s = kKernels[k].sizes[i];
      off = (off + s - 1) / s * s;
      offsets[i] = off;
      sizes[i] = s;
      off += s;
    }
    *count = kKernels[k].count;
    return off;
  }
  return -1;
}

static uint64_t u64at(const uint8_t *b, int off) { uint64_t v; memcpy(&v, b + off, 8); return v; }
static uint32_t u32at(const uint8_t *b, int off) { uint32_t v; memcpy(&v, b + off, 4); return v; }
static float f32at(const uint8_t *b, int off) { float v; memcpy(&v, b + off, 4); return v; }

/* Pointer parameter checked against live allocations for `bytes` bytes. */
#define PTR(var, type, off, bytes)                                                   \
  type *var = (type *)(uintptr_t)u64at(params, off);                                \
  if (!findAlloc((CUdeviceptr)(uintptr_t)var, (size_t)(bytes))) {                   \
    logLine("cuLaunchKernel %s -> 700 (param at %d outside allocations)", fn->name, off); \
    return E_ILLEGAL_ADDRESS;                                                        \
  }

EXPORT CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                               unsigned shared, void *stream, void **kernelParams, void **extra) {
  INJECT("cuLaunchKernel");
  NEED_CONTEXT("cuLaunchKernel");
  Func *fn = (Func *)f;
  if (!fn || fn->module->unloaded) return E_INVALID_HANDLE;
  if (!gx || !gy || !gz || !bx || !by || !bz || (unsigned long long)bx * by * bz > 1024 || shared > 49152) {
    logLine("cuLaunchKernel %s -> 1 (dimensions)", fn->name);
    return E_INVALID_VALUE;
  }
  int offsets[8], sizes[8], count = 0;
  int layoutSize = paramOffsets(fn->name, offsets, sizes, &count);
  uint8_t packed[4096];
  const uint8_t *params = NULL;
  size_t size = 0;
  if (extra) {
    for (int i = 0; extra[i] != (void *)0; i += 2) {
      if (extra[i] == (void *)1) params = (const uint8_t *)extra[i + 1];
      else if (extra[i] == (void *)2) size = *(size_t *)extra[i + 1];
      else return E_INVALID_VALUE;
    }
  } else if (kernelParams && layoutSize >= 0) {
    for (int i = 0; i < count; i++) memcpy(packed + offsets[i], kernelParams[i], (size_t)sizes[i]);
    params = packed;
    size = (size_t)layoutSize;
  } else if (kernelParams) {
    logLine("cuLaunchKernel %s -> 801 (kernelParams for an unknown kernel)", fn->name);
    return E_NOT_SUPPORTED;
  }
  char hex[8193];
  size_t h = 0;
  for (size_t i = 0; params && i < size && i < 4096; i++) h += (size_t)sprintf(hex + h, "%02x", params[i]);
  hex[h] = 0;
  logLine("cuLaunchKernel %s grid=%u,%u,%u block=%u,%u,%u shared=%u params=%s", fn->name, gx, gy, gz, bx, by, bz, shared, hex);
  pthread_mutex_lock(&lock);
  launches++;
  pthread_mutex_unlock(&lock);
  if (layoutSize < 0) return OK; /* unknown entry: accepted, nothing computed */
  if (size != (size_t)layoutSize) {
    logLine("cuLaunchKernel %s -> 1 (param buffer %zu bytes, kernel takes %d)", fn->name, size, layoutSize);
    return E_INVALID_VALUE;
  }
  unsigned long long threads = (unsigned long long)gx * gy * gz * bx * by * bz;
  if (strcmp(fn->name, "vector_add") == 0) {
    uint32_t n = u32at(params, 24);
    unsigned long long m = n < threads ? n : threads;
    PTR(a, float, 0, m * 4) PTR(b, float, 8, m * 4) PTR(out, float, 16, m * 4)
    for (unsigned long long i = 0; i < m; i++) out[i] = a[i] + b[i];
  } else if (strcmp(fn->name, "saxpy") == 0) {
    float s = f32at(params, 0);
    uint32_t n = u32at(params, 24);
    unsigned long long m = n < threads ? n : threads;
    PTR(x, float, 8, m * 4) PTR(y, float, 16, m * 4)
    for (unsigned long long i = 0; i < m; i++) y[i] = s * x[i] + y[i];
  } else if (strcmp(fn->name, "pack_all") == 0) {
    PTR(out, uint8_t, 48, 48)
    memcpy(out, params, 48);
  }
  return OK;
}

/* ---- error text ---- */
EXPORT CUresult cuGetErrorName(CUresult r, const char **name) {
  for (size_t i = 0; i < sizeof kErrors / sizeof kErrors[0]; i++)
    if (kErrors[i].code == r) { *name = kErrors[i].name; return OK; }
  *name = NULL;
  return E_INVALID_VALUE;
}

EXPORT CUresult cuGetErrorString(CUresult r, const char **text) {
  for (size_t i = 0; i < sizeof kErrors / sizeof kErrors[0]; i++)
    if (kErrors[i].code == r) { *text = kErrors[i].text; return OK; }
  *text = NULL;
  return E_INVALID_VALUE;
}
