// The slice of the CUDA driver API the addon uses, declared here so the build needs no CUDA
// toolkit. Values and signatures follow cuda.h (CUDA 11+ ABI); the library is opened at run time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" {
typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;  // the _v2 ABI: 64-bit device pointers
typedef struct CUctx_st* CUcontext;
typedef struct CUmod_st* CUmodule;
typedef struct CUfunc_st* CUfunction;
typedef struct CUevent_st* CUevent;
typedef struct CUstream_st* CUstream;
typedef int CUjit_option;
typedef int CUdevice_attribute;
}

constexpr CUresult CUDA_SUCCESS = 0;
constexpr CUresult CUDA_ERROR_INVALID_VALUE = 1;

constexpr CUdevice_attribute CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 1;
constexpr CUdevice_attribute CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK = 8;
constexpr CUdevice_attribute CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
constexpr CUdevice_attribute CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
constexpr CUdevice_attribute CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;

constexpr CUjit_option CU_JIT_INFO_LOG_BUFFER = 3;
constexpr CUjit_option CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES = 4;
constexpr CUjit_option CU_JIT_ERROR_LOG_BUFFER = 5;
constexpr CUjit_option CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;

#define TW_CU_LAUNCH_PARAM_END ((void*)0x00)
#define TW_CU_LAUNCH_PARAM_BUFFER_POINTER ((void*)0x01)
#define TW_CU_LAUNCH_PARAM_BUFFER_SIZE ((void*)0x02)

#if defined(_WIN32)
#define TW_CUDAAPI __stdcall
#else
#define TW_CUDAAPI
#endif

// One member per entry point; the string is the exported symbol we resolve (the versioned `_v2`
// names where cuda.h maps the plain name to one).
struct DriverApi {
  CUresult(TW_CUDAAPI* cuInit)(unsigned int);
  CUresult(TW_CUDAAPI* cuDriverGetVersion)(int*);
  CUresult(TW_CUDAAPI* cuDeviceGetCount)(int*);
  CUresult(TW_CUDAAPI* cuDeviceGet)(CUdevice*, int);
  CUresult(TW_CUDAAPI* cuDeviceGetName)(char*, int, CUdevice);
  CUresult(TW_CUDAAPI* cuDeviceGetAttribute)(int*, CUdevice_attribute, CUdevice);
  CUresult(TW_CUDAAPI* cuDeviceTotalMem)(size_t*, CUdevice);                // cuDeviceTotalMem_v2
  CUresult(TW_CUDAAPI* cuDevicePrimaryCtxRetain)(CUcontext*, CUdevice);
  CUresult(TW_CUDAAPI* cuDevicePrimaryCtxRelease)(CUdevice);                 // cuDevicePrimaryCtxRelease_v2
  CUresult(TW_CUDAAPI* cuCtxSetCurrent)(CUcontext);
  CUresult(TW_CUDAAPI* cuCtxSynchronize)(void);
  CUresult(TW_CUDAAPI* cuModuleLoadDataEx)(CUmodule*, const void*, unsigned int, CUjit_option*, void**);
  CUresult(TW_CUDAAPI* cuModuleUnload)(CUmodule);
  CUresult(TW_CUDAAPI* cuModuleGetFunction)(CUfunction*, CUmodule, const char*);
  CUresult(TW_CUDAAPI* cuMemAlloc)(CUdeviceptr*, size_t);                    // cuMemAlloc_v2
  CUresult(TW_CUDAAPI* cuMemFree)(CUdeviceptr);                              // cuMemFree_v2
  CUresult(TW_CUDAAPI* cuMemcpyHtoD)(CUdeviceptr, const void*, size_t);      // cuMemcpyHtoD_v2
  CUresult(TW_CUDAAPI* cuMemcpyDtoH)(void*, CUdeviceptr, size_t);            // cuMemcpyDtoH_v2
  CUresult(TW_CUDAAPI* cuMemcpyDtoD)(CUdeviceptr, CUdeviceptr, size_t);      // cuMemcpyDtoD_v2
  CUresult(TW_CUDAAPI* cuLaunchKernel)(CUfunction, unsigned int, unsigned int, unsigned int, unsigned int,
                                       unsigned int, unsigned int, unsigned int, CUstream, void**, void**);
  CUresult(TW_CUDAAPI* cuEventCreate)(CUevent*, unsigned int);
  CUresult(TW_CUDAAPI* cuEventRecord)(CUevent, CUstream);
  CUresult(TW_CUDAAPI* cuEventSynchronize)(CUevent);
  CUresult(TW_CUDAAPI* cuEventElapsedTime)(float*, CUevent, CUevent);
  CUresult(TW_CUDAAPI* cuEventDestroy)(CUevent);                             // cuEventDestroy_v2
  CUresult(TW_CUDAAPI* cuGetErrorName)(CUresult, const char**);
  CUresult(TW_CUDAAPI* cuGetErrorString)(CUresult, const char**);
};

// What opening the driver gave: either a usable API (cuInit succeeded) or the stage that failed.
struct DriverState {
  bool ok = false;
  // "library" (could not open), "symbol" (an entry point is missing: driver too old),
  // "init" (cuInit failed), "platform" (no CUDA driver on this OS).
  std::string failedStage;
  std::string message;
  CUresult initResult = CUDA_SUCCESS;
  int driverVersion = 0;
  DriverApi api{};
};

// Opens the driver once per process (thread-safe); later calls return the same state.
const DriverState& Driver();

// "NAME (code): description" using the driver's own cuGetErrorName/cuGetErrorString.
std::string DescribeResult(CUresult result);
std::string ResultName(CUresult result);
std::string ResultString(CUresult result);
