import binaryen from 'binaryen';

/**
 * A module's binary from WebAssembly text (binaryen's parser). Every feature but GC: with GC on,
 * binaryen writes `ref.null func` as the GC-era `ref.null nofunc`, which this Node's V8 refuses.
 */
export function watBytes(text: string): Uint8Array {
  const module = binaryen.parseText(text);
  module.setFeatures(binaryen.Features.All & ~binaryen.Features.GC);
  const bytes = module.emitBinary();
  module.dispose();
  return bytes;
}

/** `count(n)` loops n times and returns n: a call that takes a while and then ends by itself. */
export function countGuest(): Uint8Array {
  return watBytes(`(module
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $i)))`);
}
