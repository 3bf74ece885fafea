/**
 * Fuzz campaign (issue 15): the wasi_cuda_launch argv codec and the launch-shape check, on any
 * bytes and any shapes. Oracles: no exception but CudaCallError (and RangeError from the encoder,
 * its documented refusal); the decoder agrees record for record with a reference decoder written
 * here from the wire format's text (guide §"W1.1 typed-argv": flat `(tag, value)` records, no
 * padding, little-endian, 0x01 i32 … 0x07 pointer = u32 offset + u32 length); encode → decode is
 * the identity; the shape check refuses exactly what CUDA's published limits refuse; a pointer
 * window passes exactly when offset + length ≤ memory (computed in BigInt).
 * Cases: FUZZ_RUNS (1000 in `npm test`, 100 000 in `npm run fuzz`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KernelArg, KernelParamInfo } from '../../contract/device.js';
import { argValue, checkKernelArgs, decodeArgv, encodeArgv, type ArgvValue } from './argv.js';
import { CudaCallError } from './call-error.js';
import { checkLaunchShape } from './launch-shape.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);

/** The wire format, from its text: tag byte → value size. */
const SPEC_SIZES: Record<number, number> = { 0x01: 4, 0x02: 8, 0x03: 4, 0x04: 8, 0x05: 4, 0x06: 8, 0x07: 8 };
const SPEC_MAX_RECORDS = 128;
const SPEC_MAX_BYTES = 4096;

type Reference = { ok: true; records: { tag: number; value: number[] }[] } | { ok: false; code: string };

function referenceDecode(bytes: Uint8Array): Reference {
  if (bytes.length > SPEC_MAX_BYTES) return { ok: false, code: 'kernel_args_unsupported' };
  const records: { tag: number; value: number[] }[] = [];
  let i = 0;
  while (i < bytes.length) {
    if (records.length === SPEC_MAX_RECORDS) return { ok: false, code: 'kernel_args_unsupported' };
    const size = SPEC_SIZES[bytes[i]!];
    if (size === undefined) return { ok: false, code: 'invalid_args' };
    if (i + 1 + size > bytes.length) return { ok: false, code: 'invalid_args' };
    records.push({ tag: bytes[i]!, value: [...bytes.subarray(i + 1, i + 1 + size)] });
    i += 1 + size;
  }
  return { ok: true, records };
}

/** Raw bytes of a decoded record, rebuilt little-endian from what the decoder reported. */
function recordBytes(arg: KernelArg): number[] {
  if (arg.kind === 'scalar') return [...arg.bytes];
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, arg.offset, true);
  view.setUint32(4, arg.length, true);
  return [...out];
}

const TAG_BYTE: Record<string, number> = { i32: 1, i64: 2, f32: 3, f64: 4, u32: 5, u64: 6, pointer: 7 };

/** Mostly well-formed argv (valid records, then a mutation or two), sometimes plain noise. */
const argvBytes = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc
    .tuple(
      fc.array(fc.tuple(fc.integer({ min: 1, max: 7 }), fc.uint8Array({ minLength: 8, maxLength: 8 })), { maxLength: 140 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
      fc.option(fc.nat(), { nil: undefined }),
    )
    .map(([records, flips, cut]) => {
      const parts: number[] = [];
      for (const [tag, value] of records) parts.push(tag, ...value.subarray(0, SPEC_SIZES[tag]!));
      for (const [at, byte] of flips) if (parts.length > 0) parts[at % parts.length] = byte;
      return Uint8Array.from(cut === undefined || parts.length === 0 ? parts : parts.slice(0, cut % (parts.length + 1)));
    }),
  fc.uint8Array({ minLength: 4090, maxLength: 4200 }).map((b) => b.map(() => 0x05)),
);

const argvValue: fc.Arbitrary<ArgvValue> = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((value) => ({ tag: 'i32' as const, value })),
  fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((value) => ({ tag: 'u32' as const, value })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value) => ({ tag: 'i64' as const, value })),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((value) => ({ tag: 'u64' as const, value })),
  fc.float({ noNaN: true }).map((value) => ({ tag: 'f32' as const, value })),
  fc.double({ noNaN: true }).map((value) => ({ tag: 'f64' as const, value })),
  fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 2 ** 32 - 1 })).map(([offset, length]) => ({ tag: 'pointer' as const, offset, length })),
);

describe('argv codec fuzz', () => {
  it('decodes any bytes as the reference decoder does, failing only with its documented errors', () => {
    fc.assert(
      fc.property(argvBytes, (bytes) => {
        const expected = referenceDecode(bytes);
        let records: KernelArg[];
        try {
          records = decodeArgv(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(CudaCallError);
          expect(expected).toEqual({ ok: false, code: (error as CudaCallError).codeName });
          expect((error as CudaCallError).message.length).toBeLessThan(400);
          return;
        }
        expect(expected.ok).toBe(true);
        if (!expected.ok) return;
        expect(records.map((r) => ({ tag: TAG_BYTE[r.kind === 'pointer' ? 'pointer' : r.tag]!, value: recordBytes(r) }))).toEqual(expected.records);
      }),
      { numRuns: RUNS },
    );
  });

  it('encode then decode gives back every value exactly (f32 as its float32 rounding)', () => {
    fc.assert(
      fc.property(fc.array(argvValue, { maxLength: 128 }), (values) => {
        let bytes: Uint8Array;
        try {
          bytes = encodeArgv(values);
        } catch (error) {
          // The only refusal for in-range values: the 4 KiB limit.
          expect(error).toBeInstanceOf(RangeError);
          expect(values.reduce((n, v) => n + 1 + (v.tag === 'i32' || v.tag === 'u32' || v.tag === 'f32' ? 4 : 8), 0)).toBeGreaterThan(SPEC_MAX_BYTES);
          return;
        }
        const back = decodeArgv(bytes).map(argValue);
        const want = values.map((v) => (v.tag === 'f32' ? { tag: 'f32', value: Math.fround(v.value) } : v));
        expect(back).toEqual(want);
      }),
      { numRuns: RUNS },
    );
  });

  it('checkKernelArgs passes a pointer window exactly when offset + length ≤ memory, and throws nothing else', () => {
    const param = (sizeBytes: number, i: number): KernelParamInfo => ({ name: `p${i}`, type: sizeBytes === 8 ? 'u64' : sizeBytes === 4 ? 'u32' : 'b8', sizeBytes });
    fc.assert(
      fc.property(
        fc.array(argvValue, { maxLength: 8 }),
        fc.array(fc.constantFrom(1, 2, 4, 8, 16), { maxLength: 8 }),
        fc.integer({ min: 0, max: 2 ** 32 }),
        (values, sizes, memoryBytes) => {
          const args = decodeArgv(encodeArgv(values));
          const params = sizes.map(param);
          let refused: CudaCallError | undefined;
          try {
            checkKernelArgs(args, params, memoryBytes, 'k');
          } catch (error) {
            expect(error).toBeInstanceOf(CudaCallError);
            refused = error as CudaCallError;
          }
          // Reference: count, then per argument size, then pointer window, in order.
          let want: string | undefined;
          if (args.length !== params.length) want = 'invalid_args';
          else {
            for (let i = 0; i < args.length && want === undefined; i++) {
              const size = params[i]!.sizeBytes;
              const v = values[i]!;
              const argSize = v.tag === 'i32' || v.tag === 'u32' || v.tag === 'f32' ? 4 : 8;
              if (size !== 4 && size !== 8) want = 'kernel_args_unsupported';
              else if (argSize !== size) want = 'invalid_args';
              else if (v.tag === 'pointer' && BigInt(v.offset) + BigInt(v.length) > BigInt(memoryBytes)) want = 'invalid_pointer';
            }
          }
          expect(refused?.codeName).toBe(want);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('launch shapes: refused exactly when CUDA refuses them, always as invalid_dimensions', () => {
    // CUDA Programming Guide, "Features and Technical Specifications" (compute capability 5.0–9.0).
    const dim = fc.oneof(fc.integer({ min: -3, max: 70 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(1024, 1025, 65535, 65536, 2 ** 31 - 1));
    const device = fc.record({ id: fc.constant('fuzz'), maxThreadsPerBlock: fc.constantFrom(256, 512, 1024), maxSharedMemoryPerBlock: fc.constantFrom(0, 16384, 49152) });
    fc.assert(
      fc.property(fc.tuple(dim, dim, dim), fc.tuple(dim, dim, dim), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), device, (grid, block, shared, dev) => {
        const ok =
          grid.every((g) => g >= 1) &&
          block.every((b) => b >= 1) &&
          block[0] <= 1024 &&
          block[1] <= 1024 &&
          block[2] <= 64 &&
          grid[0] <= 2 ** 31 - 1 &&
          grid[1] <= 65535 &&
          grid[2] <= 65535 &&
          block[0] * block[1] * block[2] <= Math.min(1024, dev.maxThreadsPerBlock) &&
          shared >= 0 &&
          shared <= dev.maxSharedMemoryPerBlock;
        let refused: unknown;
        try {
          checkLaunchShape(grid, block, shared, dev);
        } catch (error) {
          refused = error;
        }
        if (ok) expect(refused).toBeUndefined();
        else {
          expect(refused).toBeInstanceOf(CudaCallError);
          expect((refused as CudaCallError).codeName).toBe('invalid_dimensions');
        }
      }),
      { numRuns: RUNS },
    );
  });
});
