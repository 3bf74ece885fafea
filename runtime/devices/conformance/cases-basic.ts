/** Conformance cases: memory-bound kernels, matmul, reductions, atomics, control flow, warps. */
import { check, int32, randF32, randInt, type ConformanceCase } from './case.js';
import { fmaf, fr } from './reference.js';

const U32 = (x: number): number => x >>> 0;

export const BASIC_CASES: ConformanceCase[] = [
  {
    name: 'vector_add',
    entry: 'vector_add',
    run({ mem, random, run }) {
      const n = 1000;
      const a = Array.from({ length: n }, () => randF32(random, -100, 100));
      const b = Array.from({ length: n }, () => randF32(random, -100, 100));
      const A = mem.f32(a), B = mem.f32(b), C = mem.alloc(n * 4);
      run([4, 1, 1], [256, 1, 1], [A, B, C, ['i32', n]]);
      check('c', mem.readF32(C), a.map((x, i) => fr(x + b[i]!)));
    },
  },
  {
    name: 'saxpy',
    entry: 'saxpy',
    run({ mem, random, run }) {
      const n = 777;
      const alpha = randF32(random, -3, 3);
      const x = Array.from({ length: n }, () => randF32(random, -10, 10));
      const y = Array.from({ length: n }, () => randF32(random, -10, 10));
      const X = mem.f32(x), Y = mem.f32(y);
      run([7, 1, 1], [128, 1, 1], [['i32', n], ['f32', alpha], X, Y]);
      check('y', mem.readF32(Y), y.map((v, i) => fmaf(alpha, x[i]!, v)));
    },
  },
  {
    name: 'grid_stride',
    entry: 'grid_stride',
    run({ mem, random, run }) {
      const n = 5000;
      const input = Array.from({ length: n }, () => int32(random));
      const I = mem.i32(input), O = mem.alloc(n * 4);
      run([3, 1, 1], [64, 1, 1], [I, O, ['i32', n]]);
      check('out', mem.readI32(O), input.map((v, i) => (Math.imul(v, 3) - i) | 0));
    },
  },
  ...(['matmul_naive', 'matmul_tiled'] as const).map(
    (name): ConformanceCase => ({
      name,
      entry: name,
      run({ mem, random, run }) {
        const n = 37;
        const a = Array.from({ length: n * n }, () => randF32(random, -1, 1));
        const b = Array.from({ length: n * n }, () => randF32(random, -1, 1));
        const A = mem.f32(a), B = mem.f32(b), C = mem.alloc(n * n * 4);
        const g = Math.ceil(n / 16);
        run([g, g, 1], [16, 16, 1], [A, B, C, ['i32', n]]);
        const want: number[] = [];
        for (let r = 0; r < n; r++) {
          for (let c = 0; c < n; c++) {
            let s = 0;
            for (let k = 0; k < n; k++) s = fmaf(a[r * n + k]!, b[k * n + c]!, s);
            want.push(s);
          }
        }
        check('C', mem.readF32(C), want);
      },
    }),
  ),
  {
    name: 'reduce_block',
    entry: 'reduce_block',
    run({ mem, random, run }) {
      const n = 1000, bs = 256, blocks = Math.ceil(n / bs);
      const input = Array.from({ length: n }, () => randF32(random, -1, 1));
      const I = mem.f32(input), O = mem.alloc(blocks * 4);
      run([blocks, 1, 1], [bs, 1, 1], [I, O, ['i32', n]]);
      const want: number[] = [];
      for (let blk = 0; blk < blocks; blk++) {
        const s = Array.from({ length: bs }, (_, t) => (blk * bs + t < n ? input[blk * bs + t]! : 0));
        for (let stride = bs / 2; stride > 0; stride >>= 1) for (let t = 0; t < stride; t++) s[t] = fr(s[t]! + s[t + stride]!);
        want.push(s[0]!);
      }
      check('partial sums', mem.readF32(O), want);
    },
  },
  {
    name: 'reduce_warp',
    entry: 'reduce_warp',
    run({ mem, random, run }) {
      const n = 1000, threads = 1024;
      const input = Array.from({ length: n }, () => randInt(random, -100000, 100000));
      const I = mem.i32(input), O = mem.i32([7]), W = mem.alloc((threads / 32) * 4);
      run([4, 1, 1], [256, 1, 1], [I, O, W, ['i32', n]]);
      const warps = Array.from({ length: threads / 32 }, (_, w) => {
        let s = 0;
        for (let l = 0; l < 32; l++) s = (s + (w * 32 + l < n ? input[w * 32 + l]! : 0)) | 0;
        return s;
      });
      check('warp sums', mem.readI32(W), warps);
      check('total', mem.readI32(O), [warps.reduce((a, b) => (a + b) | 0, 7)]);
    },
  },
  {
    name: 'histogram',
    entry: 'histogram',
    run({ mem, random, run }) {
      const n = 10000;
      const data = Array.from({ length: n }, () => (random() < 0.3 ? 42 : randInt(random, 0, 255)));
      const init = Array.from({ length: 256 }, () => randInt(random, 0, 1000));
      const D = mem.u8(data), H = mem.i32(init);
      run([8, 1, 1], [128, 1, 1], [D, H, ['i32', n]]);
      const want = init.slice();
      for (const v of data) want[v]!++;
      check('bins', mem.readI32(H), want);
    },
  },
  {
    name: 'dynamic_shared',
    entry: 'dynamic_shared',
    run({ mem, random, run }) {
      const n = 300, bs = 128, blocks = 3;
      const input = Array.from({ length: n }, () => randF32(random, -5, 5));
      const I = mem.f32(input), O = mem.alloc(n * 4);
      run([blocks, 1, 1], [bs, 1, 1], [I, O, ['i32', n]], bs * 4);
      const want = Array.from({ length: n }, (_, j) => {
        const blk = Math.floor(j / bs), t = bs - 1 - (j - blk * bs), i = blk * bs + t;
        return fr((i < n ? input[i]! : -1) * 2);
      });
      check('out', mem.readF32(O), want);
    },
  },
  {
    name: 'index3d',
    entry: 'index3d',
    run({ mem, run }) {
      const [nx, ny, nz] = [10, 5, 4];
      const grid = [3, 2, 2] as const, block = [4, 3, 2] as const;
      const O = mem.alloc(nx * ny * nz * 16);
      run(grid, block, [O, ['i32', nx], ['i32', ny], ['i32', nz]]);
      const want: number[] = [];
      for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
        const [bx, by, bz] = [Math.floor(x / 4), Math.floor(y / 3), Math.floor(z / 2)];
        const [tx, ty, tz] = [x % 4, y % 3, z % 2];
        want.push((z * ny + y) * nx + x, (tz * 3 + ty) * 4 + tx, (bz * 2 + by) * 3 + bx, 24 + 12);
      }
      check('out', mem.readI32(O), want);
    },
  },
  {
    name: 'divergence',
    entry: 'divergence',
    run({ mem, random, run }) {
      const n = 500;
      const input = Array.from({ length: n }, () => randInt(random, -1000, 1000));
      const I = mem.i32(input), O = mem.alloc(n * 4);
      run([4, 1, 1], [128, 1, 1], [I, O, ['i32', n]]);
      const want = input.map((x, i) => {
        let acc = 0;
        if (x & 1) {
          for (let j = 0; j < (x & 15); j++) acc = (acc + Math.imul(j, x)) | 0;
        } else if (x % 3 === 0) {
          acc = (x / 3) | 0;
          while (acc > 10) acc = acc & 1 ? (Math.imul(3, acc) + 1) | 0 : (acc / 2) | 0;
        } else {
          const s = x & 7;
          acc = s === 0 ? -x | 0 : s === 2 ? Math.imul(x, x) : s === 4 ? x << 2 : 7;
        }
        if ((i % 128) % 5 === 0) acc ^= 0x55;
        return acc;
      });
      check('out', mem.readI32(O), want, undefined, (i) => `x=${input[i]}`);
    },
  },
  {
    name: 'local_array',
    entry: 'local_array',
    run({ mem, random, run }) {
      const n = 200;
      const idx = Array.from({ length: n * 8 }, () => randInt(random, 0, 1000));
      const I = mem.i32(idx), O = mem.alloc(n * 4);
      run([2, 1, 1], [128, 1, 1], [I, O, ['i32', n]]);
      const want = Array.from({ length: n }, (_, i) => {
        const arr = Array.from({ length: 24 }, (_, j) => (Math.imul(j, i) + 1) | 0);
        let s = 0;
        for (let j = 0; j < 8; j++) {
          const k = idx[i * 8 + j]! % 24;
          arr[k] = (arr[k]! + s) | 0;
          s = (s + arr[(k * 7 + j) % 24]!) | 0;
        }
        return s;
      });
      check('out', mem.readI32(O), want);
    },
  },
  {
    name: 'device_call',
    entry: 'device_call',
    run({ mem, random, run }) {
      const n = 300;
      const x = Array.from({ length: n }, () => randF32(random, -4, 4));
      const y = Array.from({ length: n }, () => randF32(random, -4, 4));
      const table = [0.5, -1.25, 2, 3.5].map(fr);
      const X = mem.f32(x), Y = mem.f32(y), T = mem.f32(table), O = mem.alloc(n * 4), O64 = mem.alloc(n * 8);
      run([3, 1, 1], [128, 1, 1], [X, Y, T, O, O64, ['i32', n]]);
      const want = x.map((a, i) => (i & 1 ? fmaf(table[i & 3]!, a, y[i]!) : fr(fr(a - y[i]!) * table[(i >> 1) & 3]!)));
      check('blend', mem.readF32(O), want);
      const want64 = x.map((_, i) => {
        const a = BigInt(i) * 1000003n;
        return BigInt.asIntN(64, a * 31n + (a >> 7n) + BigInt(i));
      });
      check('mix64', mem.readI64(O64), want64);
    },
  },
  {
    name: 'atomics',
    entry: 'atomics',
    run({ mem, random, run }) {
      const n = 600;
      const v = Array.from({ length: n }, () => int32(random));
      const init = [5, 1 << 30, -(1 << 30), -1, 0, 0x1234, 0, 0, 17, 3];
      const I = mem.i32(v), INTS = mem.i32(init), F = mem.f32([0.5]), U = mem.u64([12345n]);
      run([3, 1, 1], [256, 1, 1], [I, INTS, F, U, ['i32', n]]);
      const got = mem.readI32(INTS);
      const want = init.slice();
      for (const x of v) {
        want[0] = (want[0]! + x) | 0;
        want[1] = Math.min(want[1]!, x);
        want[2] = Math.max(want[2]!, x);
        want[3] = want[3]! & (x | 0xff00ff);
        want[4] = want[4]! | (x & 0x0f0f0);
        want[5] = want[5]! ^ x;
        want[8] = U32(x) > U32(want[8]!) ? x : want[8]!;
      }
      want[6] = 42;
      want[9] = (init[9]! + n) % 1001;
      const ok = (g: number, w: number, i: number): boolean => (i === 7 ? g >= 1 && g <= n : g === w);
      check('ints', got, want, ok);
      check('float sum', mem.readF32(F), [v.reduce((s, x) => s + (x & 255), 0.5)]);
      check('u64 sum', mem.readI64(U), [BigInt.asIntN(64, v.reduce((s, x) => s + BigInt(U32(x)) * 4096n, 12345n))]);
    },
  },
  {
    name: 'vote',
    entry: 'vote',
    run({ mem, random, run }) {
      const n = 200, threads = 256;
      const x = Array.from({ length: n }, () => randInt(random, -200, 200));
      const I = mem.i32(x), O = mem.alloc(n * 16);
      run([4, 1, 1], [64, 1, 1], [I, O, ['i32', n]]);
      const want: number[] = [];
      for (let w = 0; w < threads / 32; w++) {
        const xs = Array.from({ length: 32 }, (_, l) => (w * 32 + l < n ? x[w * 32 + l]! : 0));
        let ballot = 0, m = 0, inner = 0;
        xs.forEach((v, l) => {
          if (v > 0) ballot |= 1 << l;
          if (v & 1) m |= 1 << l;
        });
        xs.forEach((v, l) => {
          if (v & 1 && v > 50) inner |= 1 << l;
        });
        inner = U32(inner | (m & 0x80000000 ? 1 : 0));
        const any = xs.some((v) => v > 100) ? 1 : 0, all = xs.every((v) => v > -100) ? 1 : 0;
        xs.forEach((v, l) => {
          if (w * 32 + l < n) want.push(U32(ballot), any, all, v & 1 ? inner : 0);
        });
      }
      check('votes', mem.readU32(O), want);
    },
  },
  {
    name: 'shfl_modes',
    entry: 'shfl_modes',
    run({ mem, random, run }) {
      const n = 250, threads = 256;
      const x = Array.from({ length: n }, () => randInt(random, -100000, 100000));
      const I = mem.i32(x), O = mem.alloc(n * 20);
      run([4, 1, 1], [64, 1, 1], [I, O, ['i32', n]]);
      const want: number[] = [];
      for (let w = 0; w < threads / 32; w++) {
        const xs = Array.from({ length: 32 }, (_, l) => (w * 32 + l < n ? x[w * 32 + l]! : 0));
        for (let l = 0; l < 32 && w * 32 + l < n; l++) {
          const a = xs[(l * 7) & 31]!;
          const b = l >= 3 ? xs[l - 3]! : xs[l]!;
          const c = l + 5 <= ((l & 16) | 15) ? xs[l + 5]! : xs[l]!;
          const d = xs[l ^ 9]!;
          const f = Math.trunc(fr(xs[l ^ 1]! * 0.5));
          want.push(a, b, c, d, f);
        }
      }
      check('shuffles', mem.readI32(O), want);
    },
  },
];
