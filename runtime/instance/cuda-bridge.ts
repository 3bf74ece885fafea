/**
 * The one place the instance worker reaches the wasi:cuda host (runtime/cuda/host.ts). The worker
 * imports this file lazily, only for modules that import wasi:cuda, so other guests never load
 * the host or its devices.
 */
export { createWasiCudaHost, type WasiCudaHost, type WasiCudaHostOptions } from '../cuda/host.js';
