// Opens the CUDA driver library at run time and resolves the entry points the addon uses.
#include "driver.h"

#include <mutex>

#if defined(_WIN32)
#include <windows.h>
#else
#include <dlfcn.h>
#endif

namespace {

#if defined(_WIN32)
void* OpenLibrary(std::string& error) {
  HMODULE lib = LoadLibraryA("nvcuda.dll");
  if (lib == nullptr) error = "nvcuda.dll could not be loaded (Windows error " + std::to_string(GetLastError()) + ")";
  return reinterpret_cast<void*>(lib);
}
void* FindSymbol(void* lib, const char* name) {
  return reinterpret_cast<void*>(GetProcAddress(reinterpret_cast<HMODULE>(lib), name));
}
#elif defined(__APPLE__)
void* OpenLibrary(std::string& error) {
  error = "CUDA has no driver for macOS";
  return nullptr;
}
void* FindSymbol(void*, const char*) { return nullptr; }
#else
void* OpenLibrary(std::string& error) {
  // libcuda.so.1 is the driver's ABI name; the unversioned libcuda.so comes only with the toolkit.
  void* lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    const char* why = dlerror();
    error = std::string("libcuda.so.1 could not be loaded (") + (why ? why : "unknown dlopen error") + ")";
  }
  return lib;
}
void* FindSymbol(void* lib, const char* name) { return dlsym(lib, name); }
#endif

DriverState state;
std::once_flag once;

// Resolves the first of the names that exists (versioned name first).
template <typename Fn>
bool Resolve(void* lib, Fn& slot, std::initializer_list<const char*> names, std::string& missing) {
  for (const char* name : names) {
    void* sym = FindSymbol(lib, name);
    if (sym != nullptr) {
      slot = reinterpret_cast<Fn>(sym);
      return true;
    }
  }
  missing = *names.begin();
  return false;
}

void Open() {
  std::string error;
  void* lib = OpenLibrary(error);
  if (lib == nullptr) {
#if defined(__APPLE__)
    state.failedStage = "platform";
#else
    state.failedStage = "library";
#endif
    state.message = error;
    return;
  }
  DriverApi& a = state.api;
  std::string missing;
  bool ok = Resolve(lib, a.cuInit, {"cuInit"}, missing) &&
            Resolve(lib, a.cuDriverGetVersion, {"cuDriverGetVersion"}, missing) &&
            Resolve(lib, a.cuGetErrorName, {"cuGetErrorName"}, missing) &&
            Resolve(lib, a.cuGetErrorString, {"cuGetErrorString"}, missing) &&
            Resolve(lib, a.cuDeviceGetCount, {"cuDeviceGetCount"}, missing) &&
            Resolve(lib, a.cuDeviceGet, {"cuDeviceGet"}, missing) &&
            Resolve(lib, a.cuDeviceGetName, {"cuDeviceGetName"}, missing) &&
            Resolve(lib, a.cuDeviceGetAttribute, {"cuDeviceGetAttribute"}, missing) &&
            Resolve(lib, a.cuDeviceTotalMem, {"cuDeviceTotalMem_v2"}, missing) &&
            Resolve(lib, a.cuDevicePrimaryCtxRetain, {"cuDevicePrimaryCtxRetain"}, missing) &&
            Resolve(lib, a.cuDevicePrimaryCtxRelease, {"cuDevicePrimaryCtxRelease_v2", "cuDevicePrimaryCtxRelease"}, missing) &&
            Resolve(lib, a.cuCtxSetCurrent, {"cuCtxSetCurrent"}, missing) &&
            Resolve(lib, a.cuCtxSynchronize, {"cuCtxSynchronize"}, missing) &&
            Resolve(lib, a.cuModuleLoadDataEx, {"cuModuleLoadDataEx"}, missing) &&
            Resolve(lib, a.cuModuleUnload, {"cuModuleUnload"}, missing) &&
            Resolve(lib, a.cuModuleGetFunction, {"cuModuleGetFunction"}, missing) &&
            Resolve(lib, a.cuMemAlloc, {"cuMemAlloc_v2"}, missing) &&
            Resolve(lib, a.cuMemFree, {"cuMemFree_v2"}, missing) &&
            Resolve(lib, a.cuMemcpyHtoD, {"cuMemcpyHtoD_v2"}, missing) &&
            Resolve(lib, a.cuMemcpyDtoH, {"cuMemcpyDtoH_v2"}, missing) &&
            Resolve(lib, a.cuMemcpyDtoD, {"cuMemcpyDtoD_v2"}, missing) &&
            Resolve(lib, a.cuLaunchKernel, {"cuLaunchKernel"}, missing) &&
            Resolve(lib, a.cuEventCreate, {"cuEventCreate"}, missing) &&
            Resolve(lib, a.cuEventRecord, {"cuEventRecord"}, missing) &&
            Resolve(lib, a.cuEventSynchronize, {"cuEventSynchronize"}, missing) &&
            Resolve(lib, a.cuEventElapsedTime, {"cuEventElapsedTime"}, missing) &&
            Resolve(lib, a.cuEventDestroy, {"cuEventDestroy_v2", "cuEventDestroy"}, missing);
  if (!ok) {
    state.failedStage = "symbol";
    state.message = "the CUDA driver library has no entry point " + missing;
    return;
  }
  CUresult r = a.cuInit(0);
  if (r != CUDA_SUCCESS) {
    state.failedStage = "init";
    state.initResult = r;
    state.message = "cuInit failed: " + DescribeResult(r);
    return;
  }
  int version = 0;
  r = a.cuDriverGetVersion(&version);
  if (r != CUDA_SUCCESS) {
    state.failedStage = "init";
    state.initResult = r;
    state.message = "cuDriverGetVersion failed: " + DescribeResult(r);
    return;
  }
  state.driverVersion = version;
  state.ok = true;
}

}  // namespace

const DriverState& Driver() {
  std::call_once(once, Open);
  return state;
}

std::string ResultName(CUresult result) {
  const char* name = nullptr;
  if (state.api.cuGetErrorName != nullptr && state.api.cuGetErrorName(result, &name) == CUDA_SUCCESS && name) return name;
  return "CUDA_ERROR_" + std::to_string(result);
}

std::string ResultString(CUresult result) {
  const char* text = nullptr;
  if (state.api.cuGetErrorString != nullptr && state.api.cuGetErrorString(result, &text) == CUDA_SUCCESS && text) return text;
  return "unrecognized error code";
}

std::string DescribeResult(CUresult result) {
  return ResultName(result) + " (" + std::to_string(result) + "): " + ResultString(result);
}
