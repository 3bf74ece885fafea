{
  # The CUDA addon. No CUDA toolkit is needed to build it: src/driver.h declares the driver API and
  # src/driver.cc opens libcuda.so.1 (nvcuda.dll on Windows) at run time.
  "targets": [
    {
      "target_name": "tensorwasm_cuda",
      "sources": ["src/addon.cc", "src/driver.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "conditions": [
        ["OS=='linux'", {"libraries": ["-ldl"]}],
        ["OS=='mac'", {"xcode_settings": {"CLANG_CXX_LANGUAGE_STANDARD": "c++17", "GCC_ENABLE_CPP_EXCEPTIONS": "YES"}}],
        ["OS=='win'", {"msvs_settings": {"VCCLCompilerTool": {"ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"]}}}]
      ]
    }
  ]
}
