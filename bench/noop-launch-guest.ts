import binaryen from 'binaryen';

/**
 * A guest that loads `ptx`, launches its `noop` entry (one u32 argument) n times from its `bench`
 * export, then syncs: the launch-overhead benches (cuda-launch, launch-path) share it.
 */
export function noopLaunchGuest(ptx: string): Uint8Array {
  const escaped = [...Buffer.from(ptx)].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\${b.toString(16).padStart(2, '0')}`)).join('');
  const ptxLength = Buffer.byteLength(ptx);
  const wat = `(module
  (import "wasi:cuda/host@0.2.0" "wasi_cuda_load_ptx" (func $load (param i32 i32 i32 i32) (result i64)))
  (import "wasi:cuda/host@0.2.0" "wasi_cuda_launch" (func $launch (param i64 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi:cuda/host@0.2.0" "wasi_cuda_sync" (func $sync (result i32)))
  (memory (export "memory") ${Math.ceil((4096 + ptxLength) / 65536) + 1})
  (data (i32.const 64) "noop")
  (data (i32.const 96) "\\05\\00\\00\\00\\00")
  (data (i32.const 4096) "${escaped}")
  (func (export "bench") (param $n i32) (result i32)
    (local $k i64) (local $i i32) (local $rc i32)
    (local.set $k (call $load (i32.const 4096) (i32.const ${ptxLength}) (i32.const 64) (i32.const 4)))
    (if (i64.lt_s (local.get $k) (i64.const 0)) (then (return (i32.wrap_i64 (local.get $k)))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $rc (call $launch (local.get $k) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 0) (i32.const 96) (i32.const 5)))
        (if (local.get $rc) (then (return (local.get $rc))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (call $sync)))`;
  const module = binaryen.parseText(wat);
  if (!module.validate()) throw new Error('the benchmark guest did not validate');
  const bytes = module.emitBinary();
  module.dispose();
  return bytes;
}
