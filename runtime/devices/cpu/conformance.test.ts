import { defineConformanceSuite } from '../conformance/suite.js';
import { CpuDevice } from './cpu-device.js';

// The JavaScript backend: every kernel, guest memory as a plain buffer.
defineConformanceSuite('CpuDevice', () => new CpuDevice());
// As the engine launches: guest memory is a WebAssembly.Memory, so kernels in the Wasm backend's
// subset (wasm/compile-wasm.ts) run as WebAssembly and the rest on the JavaScript backend.
defineConformanceSuite('CpuDevice on a WebAssembly.Memory (Wasm kernels)', () => new CpuDevice(), { wasmMemory: true });
