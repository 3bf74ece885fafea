// TensorWasm's CUDA addon: discovery, and one `Context` per instance that owns every module,
// allocation and event it creates. Context-aware (Napi::Addon), so it loads in worker threads and
// in Electron. The TypeScript side (runtime/devices/cuda/) validates every argument first; each
// copy and launch is checked here again against the allocations this context made.
#include <napi.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "driver.h"

namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;  // 2^53 - 1
constexpr size_t kJitLogBytes = 16 * 1024;

[[noreturn]] void ThrowDriver(Napi::Env env, const std::string& call, CUresult r, const std::string& jitLog = "",
                              const std::string& infoLog = "") {
  Napi::Error error = Napi::Error::New(env, call + " failed: " + DescribeResult(r));
  Napi::Object obj = error.Value();
  obj.Set("driverCall", call);
  obj.Set("driverResult", r);
  obj.Set("driverErrorName", ResultName(r));
  obj.Set("driverErrorString", ResultString(r));
  if (!jitLog.empty()) obj.Set("jitLog", jitLog);
  if (!infoLog.empty()) obj.Set("jitInfoLog", infoLog);
  throw error;
}

[[noreturn]] void ThrowRange(Napi::Env env, const std::string& message) {
  Napi::Error error = Napi::RangeError::New(env, message);
  error.Value().Set("addonCheck", true);
  throw error;
}

// A non-negative integer that fits a double exactly (lengths, offsets, device pointers).
uint64_t ToIndex(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!v.IsNumber()) ThrowRange(env, std::string(what) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0) || d > kMaxSafeInteger || std::floor(d) != d) ThrowRange(env, std::string(what) + " must be a non-negative integer");
  return static_cast<uint64_t>(d);
}

uint32_t ToDim(Napi::Env env, const Napi::Value& v, const char* what) {
  uint64_t n = ToIndex(env, v, what);
  if (n == 0 || n > 0xffffffffull) ThrowRange(env, std::string(what) + " must be between 1 and 2^32-1");
  return static_cast<uint32_t>(n);
}

Napi::Uint8Array ToBytes(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    ThrowRange(env, std::string(what) + " must be a Uint8Array");
  return v.As<Napi::Uint8Array>();
}

class Context : public Napi::ObjectWrap<Context> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Context",
                       {
                           InstanceMethod("loadModule", &Context::LoadModule),
                           InstanceMethod("getFunction", &Context::GetFunction),
                           InstanceMethod("alloc", &Context::Alloc),
                           InstanceMethod("free", &Context::Free),
                           InstanceMethod("copyHtoD", &Context::CopyHtoD),
                           InstanceMethod("copyDtoH", &Context::CopyDtoH),
                           InstanceMethod("copyDtoD", &Context::CopyDtoD),
                           InstanceMethod("launch", &Context::Launch),
                           InstanceMethod("synchronize", &Context::Synchronize),
                           InstanceMethod("stats", &Context::Stats),
                           InstanceMethod("dispose", &Context::Dispose),
                       });
  }

  explicit Context(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Context>(info) {
    Napi::Env env = info.Env();
    const DriverState& d = Driver();
    if (!d.ok) {
      Napi::Error error = Napi::Error::New(env, d.message);
      error.Value().Set("driverStage", d.failedStage);
      throw error;
    }
    api_ = &d.api;
    int ordinal = static_cast<int>(ToIndex(env, info[0], "ordinal"));
    CUresult r = api_->cuDeviceGet(&device_, ordinal);
    if (r != CUDA_SUCCESS) ThrowDriver(env, "cuDeviceGet", r);
    r = api_->cuDevicePrimaryCtxRetain(&ctx_, device_);
    if (r != CUDA_SUCCESS) ThrowDriver(env, "cuDevicePrimaryCtxRetain", r);
    retained_ = true;
    const char* call = "cuCtxSetCurrent";
    r = api_->cuCtxSetCurrent(ctx_);
    if (r == CUDA_SUCCESS) {
      call = "cuEventCreate";
      r = api_->cuEventCreate(&start_, 0);
      if (r == CUDA_SUCCESS) r = api_->cuEventCreate(&stop_, 0);
    }
    if (r != CUDA_SUCCESS) {
      ReleaseAll();
      ThrowDriver(env, call, r);
    }
  }

  ~Context() override { ReleaseAll(); }

 private:
  // Every call may come from a different thread than the last (the instance's worker), so the
  // primary context is made current first. cuCtxSetCurrent is a thread-local store in the driver.
  void MakeCurrent(Napi::Env env) {
    if (disposed_) ThrowRange(env, "the CUDA context was disposed");
    CUresult r = api_->cuCtxSetCurrent(ctx_);
    if (r != CUDA_SUCCESS) ThrowDriver(env, "cuCtxSetCurrent", r);
  }

  // True when [p, p+len) lies inside one allocation this context made.
  bool Owns(CUdeviceptr p, uint64_t len) const {
    auto it = allocations_.upper_bound(p);
    if (it == allocations_.begin()) return false;
    --it;
    uint64_t base = it->first, size = it->second;
    if (p < base) return false;
    uint64_t off = p - base;
    return off <= size && len <= size - off;
  }

  void CheckDevice(Napi::Env env, CUdeviceptr p, uint64_t len, const char* what) {
    if (!Owns(p, len))
      ThrowRange(env, std::string(what) + " [0x" + Hex(p) + ", +" + std::to_string(len) + ") is not inside a device allocation of this context");
  }

  static std::string Hex(uint64_t v) {
    char buf[32];
    snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
    return buf;
  }

  // Host window [offset, offset+length) of a Uint8Array, bounds-checked.
  static uint8_t* HostWindow(Napi::Env env, Napi::Uint8Array& bytes, uint64_t offset, uint64_t length) {
    uint64_t size = bytes.ByteLength();
    if (offset > size || length > size - offset)
      ThrowRange(env, "host window [" + std::to_string(offset) + ", +" + std::to_string(length) + ") is outside the " +
                          std::to_string(size) + "-byte memory");
    return bytes.Data() + offset;
  }

  Napi::Value LoadModule(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsString()) ThrowRange(env, "ptx must be a string");
    std::string ptx = info[0].As<Napi::String>().Utf8Value();
    if (memchr(ptx.data(), '\0', ptx.size()) != nullptr) ThrowRange(env, "ptx contains a NUL byte");
    MakeCurrent(env);
    std::vector<char> errorLog(kJitLogBytes, 0), infoLog(kJitLogBytes, 0);
    CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, CU_JIT_INFO_LOG_BUFFER,
                              CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES};
    void* values[] = {errorLog.data(), reinterpret_cast<void*>(static_cast<uintptr_t>(kJitLogBytes)), infoLog.data(),
                      reinterpret_cast<void*>(static_cast<uintptr_t>(kJitLogBytes))};
    CUmodule module = nullptr;
    CUresult r = api_->cuModuleLoadDataEx(&module, ptx.c_str(), 4, options, values);
    errorLog[kJitLogBytes - 1] = 0;
    infoLog[kJitLogBytes - 1] = 0;
    if (r != CUDA_SUCCESS) ThrowDriver(env, "cuModuleLoadDataEx", r, errorLog.data(), infoLog.data());
    modules_.push_back(module);
    Napi::Object out = Napi::Object::New(env);
    out.Set("module", static_cast<double>(modules_.size() - 1));
    out.Set("infoLog", std::string(infoLog.data()));
    return out;
  }

  Napi::Value GetFunction(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint64_t id = ToIndex(env, info[0], "module");
    if (id >= modules_.size() || modules_[id] == nullptr) ThrowRange(env, "unknown module id");
    if (!info[1].IsString()) ThrowRange(env, "entry must be a string");
    std::string entry = info[1].As<Napi::String>().Utf8Value();
    MakeCurrent(env);
    CUfunction fn = nullptr;
    CUresult r = api_->cuModuleGetFunction(&fn, modules_[id], entry.c_str());
    if (r != CUDA_SUCCESS) ThrowDriver(env, "cuModuleGetFunction", r);
    functions_.push_back(fn);
    return Napi::Number::New(env, static_cast<double>(functions_.size() - 1));
  }

  Napi::Value Alloc(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint64_t bytes = ToIndex(env, info[0], "bytes");
    if (bytes == 0) ThrowRange(env, "cannot allocate 0 bytes");
    MakeCurrent(env);
    CUdeviceptr p = 0;
    CUresult r = api_->cuMemAlloc(&p, static_cast<size_t>(bytes));
    if (r != CUDA_SUCCESS) ThrowDriver(env, "cuMemAlloc_v2", r);
    if (static_cast<double>(p) > kMaxSafeInteger) {
      api_->cuMemFree(p);
      ThrowRange(env, "device pointer does not fit a JavaScript number");
    }
    allocations_[p] = bytes;
    liveBytes_ += bytes;
    return Napi::Number::New(env, static_cast<double>(p));
  }

  Napi::Value Free(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    CUdeviceptr p = ToIndex(env, info[0], "pointer");
    auto it = allocations_.find(p);
    if (it == allocations_.end()) ThrowRange(env, "0x" + Hex(p) + " is not an allocation of this context");
    MakeCurrent(env);
    CUresult r = api_->cuMemFree(p);
    liveBytes_ -= it->second;
    allocations_.erase(it);  // forgotten even on failure: the driver will not give it back twice
    if (r != CUDA_SUCCESS) ThrowDriver(env, "cuMemFree_v2", r);
    return env.Undefined();
  }

  // copyHtoD(devicePtr, memory, offset, length)
  Napi::Value CopyHtoD(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    CUdeviceptr p = ToIndex(env, info[0], "pointer");
    Napi::Uint8Array memory = ToBytes(env, info[1], "memory");
    uint64_t offset = ToIndex(env, info[2], "offset"), length = ToIndex(env, info[3], "length");
    uint8_t* host = HostWindow(env, memory, offset, length);
    CheckDevice(env, p, length, "device window");
    if (length == 0) return env.Undefined();
    MakeCurrent(env);
    CUresult r = api_->cuMemcpyHtoD(p, host, static_cast<size_t>(length));
    if (r != CUDA_SUCCESS) ThrowDriver(env, "cuMemcpyHtoD_v2", r);
    return env.Undefined();
  }

  // copyDtoH(devicePtr, memory, offset, length)
  Napi::Value CopyDtoH(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    CUdeviceptr p = ToIndex(env, info[0], "pointer");
    Napi::Uint8Array memory = ToBytes(env, info[1], "memory");
    uint64_t offset = ToIndex(env, info[2], "offset"), length = ToIndex(env, info[3], "length");
    uint8_t* host = HostWindow(env, memory, offset, length);
    CheckDevice(env, p, length, "device window");
    if (length == 0) return env.Undefined();
    MakeCurrent(env);
    CUresult r = api_->cuMemcpyDtoH(host, p, static_cast<size_t>(length));
    if (r != CUDA_SUCCESS) ThrowDriver(env, "cuMemcpyDtoH_v2", r);
    return env.Undefined();
  }

  // copyDtoD(dst, src, length)
  Napi::Value CopyDtoD(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    CUdeviceptr dst = ToIndex(env, info[0], "dst"), src = ToIndex(env, info[1], "src");
    uint64_t length = ToIndex(env, info[2], "length");
    CheckDevice(env, dst, length, "destination window");
    CheckDevice(env, src, length, "source window");
    if (length == 0) return env.Undefined();
    MakeCurrent(env);
    CUresult r = api_->cuMemcpyDtoD(dst, src, static_cast<size_t>(length));
    if (r != CUDA_SUCCESS) ThrowDriver(env, "cuMemcpyDtoD_v2", r);
    return env.Undefined();
  }

  // launch(fn, gx, gy, gz, bx, by, bz, sharedBytes, params: Uint8Array, pointerSlots: Uint32Array) -> kernel ms
  // `params` is the kernel's parameter buffer laid out as its .param list declares; each entry of
  // `pointerSlots` is the byte offset of a 64-bit device pointer in it, checked against our allocations.
  Napi::Value Launch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint64_t fnId = ToIndex(env, info[0], "function");
    if (fnId >= functions_.size()) ThrowRange(env, "unknown function id");
    uint32_t gx = ToDim(env, info[1], "grid.x"), gy = ToDim(env, info[2], "grid.y"), gz = ToDim(env, info[3], "grid.z");
    uint32_t bx = ToDim(env, info[4], "block.x"), by = ToDim(env, info[5], "block.y"), bz = ToDim(env, info[6], "block.z");
    uint64_t shared = ToIndex(env, info[7], "sharedBytes");
    if (shared > 0xffffffffull) ThrowRange(env, "sharedBytes too large");
    Napi::Uint8Array params = ToBytes(env, info[8], "params");
    if (!info[9].IsTypedArray() || info[9].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array)
      ThrowRange(env, "pointerSlots must be a Uint32Array");
    Napi::Uint32Array slots = info[9].As<Napi::Uint32Array>();
    size_t size = params.ByteLength();
    if (size > 4096) ThrowRange(env, "parameter buffer larger than 4096 bytes");
    // An 8-byte aligned copy: the driver reads the buffer with the params' natural alignment.
    std::vector<uint64_t> buffer((size + 7) / 8 + 1, 0);
    if (size > 0) memcpy(buffer.data(), params.Data(), size);
    for (size_t i = 0; i < slots.ElementLength(); i++) {
      uint32_t off = slots[i];
      if (off % 8 != 0 || static_cast<uint64_t>(off) + 8 > size) ThrowRange(env, "pointer slot outside the parameter buffer");
      uint64_t p;
      memcpy(&p, reinterpret_cast<const uint8_t*>(buffer.data()) + off, 8);
      if (p != 0) CheckDevice(env, p, 0, "kernel pointer parameter");
    }
    MakeCurrent(env);
    void* extra[] = {TW_CU_LAUNCH_PARAM_BUFFER_POINTER, buffer.data(), TW_CU_LAUNCH_PARAM_BUFFER_SIZE, &size,
                     TW_CU_LAUNCH_PARAM_END};
    CUresult r = api_->cuEventRecord(start_, nullptr);
    if (r != CUDA_SUCCESS) ThrowDriver(env, "cuEventRecord", r);
    r = api_->cuLaunchKernel(functions_[fnId], gx, gy, gz, bx, by, bz, static_cast<unsigned>(shared), nullptr, nullptr,
                             size > 0 ? extra : nullptr);
    if (r != CUDA_SUCCESS) ThrowDriver(env, "cuLaunchKernel", r);
    r = api_->cuEventRecord(stop_, nullptr);
    if (r != CUDA_SUCCESS) ThrowDriver(env, "cuEventRecord", r);
    // Waiting for this launch's stop event gives the launch event its measured kernel time and
    // pins a faulting kernel to the launch that caused it; results stay on the device until sync.
    r = api_->cuEventSynchronize(stop_);
    if (r != CUDA_SUCCESS) ThrowDriver(env, "cuEventSynchronize", r);
    float ms = 0;
    r = api_->cuEventElapsedTime(&ms, start_, stop_);
    if (r != CUDA_SUCCESS) ThrowDriver(env, "cuEventElapsedTime", r);
    return Napi::Number::New(env, ms);
  }

  Napi::Value Synchronize(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    MakeCurrent(env);
    CUresult r = api_->cuCtxSynchronize();
    if (r != CUDA_SUCCESS) ThrowDriver(env, "cuCtxSynchronize", r);
    return env.Undefined();
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object out = Napi::Object::New(env);
    out.Set("allocations", static_cast<double>(allocations_.size()));
    out.Set("bytes", static_cast<double>(liveBytes_));
    out.Set("modules", static_cast<double>(modules_.size()));
    out.Set("disposed", disposed_);
    return out;
  }

  // Frees everything; returns the failures (strings) rather than throwing, so teardown completes.
  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::vector<std::string> failures = ReleaseAll();
    Napi::Array out = Napi::Array::New(env, failures.size());
    for (size_t i = 0; i < failures.size(); i++) out.Set(static_cast<uint32_t>(i), failures[i]);
    return out;
  }

  std::vector<std::string> ReleaseAll() {
    std::vector<std::string> failures;
    if (disposed_ || api_ == nullptr) return failures;
    disposed_ = true;
    auto note = [&](const char* call, CUresult r) {
      if (r != CUDA_SUCCESS) failures.push_back(std::string(call) + " failed: " + DescribeResult(r));
    };
    if (!retained_) return failures;
    note("cuCtxSetCurrent", api_->cuCtxSetCurrent(ctx_));
    for (auto& [p, size] : allocations_) note("cuMemFree_v2", api_->cuMemFree(p));
    allocations_.clear();
    liveBytes_ = 0;
    for (CUmodule m : modules_)
      if (m != nullptr) note("cuModuleUnload", api_->cuModuleUnload(m));
    modules_.clear();
    functions_.clear();
    if (start_ != nullptr) note("cuEventDestroy_v2", api_->cuEventDestroy(start_));
    if (stop_ != nullptr) note("cuEventDestroy_v2", api_->cuEventDestroy(stop_));
    start_ = stop_ = nullptr;
    // Leave no dangling current context on this thread once the primary context may be gone.
    note("cuCtxSetCurrent", api_->cuCtxSetCurrent(nullptr));
    note("cuDevicePrimaryCtxRelease_v2", api_->cuDevicePrimaryCtxRelease(device_));
    retained_ = false;
    return failures;
  }

  const DriverApi* api_ = nullptr;
  CUdevice device_ = 0;
  CUcontext ctx_ = nullptr;
  CUevent start_ = nullptr, stop_ = nullptr;
  bool retained_ = false, disposed_ = false;
  std::map<CUdeviceptr, uint64_t> allocations_;
  uint64_t liveBytes_ = 0;
  std::vector<CUmodule> modules_;
  std::vector<CUfunction> functions_;
};

class CudaAddon : public Napi::Addon<CudaAddon> {
 public:
  CudaAddon(Napi::Env env, Napi::Object exports) {
    DefineAddon(exports, {
                             InstanceMethod("load", &CudaAddon::Load),
                             InstanceMethod("deviceInfo", &CudaAddon::DeviceInfo),
                             InstanceMethod("describeResult", &CudaAddon::Describe),
                             InstanceValue("Context", Context::Init(env)),
                         });
  }

 private:
  // load() -> { ok, driverVersion, deviceCount } or { ok: false, stage, message, result? }
  Napi::Value Load(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const DriverState& d = Driver();
    Napi::Object out = Napi::Object::New(env);
    out.Set("ok", d.ok);
    if (!d.ok) {
      out.Set("stage", d.failedStage);
      out.Set("message", d.message);
      if (d.failedStage == "init") {
        out.Set("result", d.initResult);
        out.Set("errorName", ResultName(d.initResult));
      }
      return out;
    }
    out.Set("driverVersion", d.driverVersion);
    int count = 0;
    CUresult r = d.api.cuDeviceGetCount(&count);
    if (r != CUDA_SUCCESS) {
      out.Set("ok", false);
      out.Set("stage", "count");
      out.Set("message", "cuDeviceGetCount failed: " + DescribeResult(r));
      out.Set("result", r);
      out.Set("errorName", ResultName(r));
      return out;
    }
    out.Set("deviceCount", count);
    return out;
  }

  Napi::Value DeviceInfo(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const DriverState& d = Driver();
    if (!d.ok) throw Napi::Error::New(env, d.message);
    int ordinal = static_cast<int>(ToIndex(env, info[0], "ordinal"));
    CUdevice dev = 0;
    CUresult r = d.api.cuDeviceGet(&dev, ordinal);
    if (r != CUDA_SUCCESS) ThrowDriver(env, "cuDeviceGet", r);
    char name[256] = {0};
    r = d.api.cuDeviceGetName(name, sizeof name - 1, dev);
    if (r != CUDA_SUCCESS) ThrowDriver(env, "cuDeviceGetName", r);
    size_t total = 0;
    r = d.api.cuDeviceTotalMem(&total, dev);
    if (r != CUDA_SUCCESS) ThrowDriver(env, "cuDeviceTotalMem_v2", r);
    Napi::Object out = Napi::Object::New(env);
    out.Set("name", std::string(name));
    out.Set("totalMemoryBytes", static_cast<double>(total));
    struct {
      const char* key;
      CUdevice_attribute attr;
    } attrs[] = {
        {"major", CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR},
        {"minor", CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR},
        {"maxThreadsPerBlock", CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK},
        {"maxSharedMemoryPerBlock", CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK},
        {"multiprocessorCount", CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT},
    };
    for (auto& a : attrs) {
      int value = 0;
      r = d.api.cuDeviceGetAttribute(&value, a.attr, dev);
      if (r != CUDA_SUCCESS) ThrowDriver(env, "cuDeviceGetAttribute", r);
      out.Set(a.key, value);
    }
    return out;
  }

  Napi::Value Describe(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Driver();
    if (!info[0].IsNumber()) ThrowRange(env, "result must be a number");
    CUresult r = info[0].As<Napi::Number>().Int32Value();
    Napi::Object out = Napi::Object::New(env);
    out.Set("name", ResultName(r));
    out.Set("text", ResultString(r));
    return out;
  }
};

}  // namespace

NODE_API_ADDON(CudaAddon)
