/**
 * PTX fuzzing of the CPU device: mutated real PTX (fixtures/cuda) and PTX generated from a small
 * grammar, loaded and launched on small grids on both backends, in a worker (ptx-fuzz.worker.ts)
 * so that a hang or a runaway allocation is caught rather than taking the test down.
 *
 * Oracles: no exception other than the device's own errors; never -7 `internal`; loads end with
 * success, -3 or -4, launches with success, -5, -6, -8 or -9; no message echoes more than a few
 * hundred characters; no byte outside the launch's pointer windows changes; no load, and no
 * launch of a generated kernel (they only branch forward), runs past a deadline; no worker runs
 * out of its memory. Cases: FUZZ_RUNS (1000 in `npm test`, `npm run fuzz` sets 100000).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect } from 'vitest';
import { startWorker } from '../../node/worker-url.js';
import type { FuzzCase, FuzzOutcome } from './ptx-fuzz.worker.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
/** Per case; a load or a forward-only kernel on 128 threads takes milliseconds. */
const DEADLINE_MS = Number(process.env.FUZZ_DEADLINE_MS ?? 20_000);
const fixtures = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'cuda');

let worker: Worker | undefined;
let hangs = 0;
function fuzzWorker(): Worker {
  worker ??= startWorker(import.meta.url, './ptx-fuzz.worker', { resourceLimits: { maxOldGenerationSizeMb: 768 } });
  return worker;
}
afterAll(async () => {
  await worker?.terminate();
});

type Run = FuzzOutcome | { hang: true } | { crashed: string };

function run(c: FuzzCase): Promise<Run> {
  const w = fuzzWorker();
  return new Promise((resolve) => {
    const done = (r: Run): void => {
      clearTimeout(timer);
      w.off('message', onMessage);
      w.off('error', onError);
      resolve(r);
    };
    const onMessage = (r: FuzzOutcome): void => done(r);
    const onError = (e: Error): void => {
      worker = undefined;
      done({ crashed: `${e.name}: ${e.message}` });
    };
    const timer = setTimeout(() => {
      hangs++;
      worker = undefined;
      void w.terminate();
      done({ hang: true });
    }, DEADLINE_MS);
    w.on('message', onMessage);
    w.on('error', onError);
    w.postMessage(c);
  });
}

const ENGINE_INTERNALS = /Cannot read|of undefined|is not a function|call stack|is not iterable|Invalid array length|RangeError|TypeError|internal/;
const LOAD_CODES = [-3, -4];
const LAUNCH_CODES = [-5, -6, -8, -9];

/** The oracles every case answers to; `terminates`: a hang in the launch is a failure too. */
const tally = new Map<string, number>();
function count(r: Run): void {
  const k = 'hang' in r ? 'hang' : 'crashed' in r ? 'crashed' : r.load !== 'ok' ? `load ${'code' in r.load ? r.load.code : 'exception'}` : r.launch === 'ok' ? 'ran' : `launch ${r.launch && 'code' in r.launch ? r.launch.code : 'exception'}`;
  tally.set(k, (tally.get(k) ?? 0) + 1);
}
afterAll(() => {
  if (process.env.FUZZ_TALLY) console.log('outcomes', Object.fromEntries(tally), 'hangs', hangs);
});

function check(c: FuzzCase, r: Run, terminates: boolean): void {
  count(r);
  const where = `kernel:\n${c.ptx.slice(0, 4000)}`;
  expect('crashed' in r ? r.crashed : undefined, where).toBeUndefined();
  if ('hang' in r) {
    // a mutated loop may legitimately never end (the engine's deadline ends such an instance)
    expect(terminates, `ran past ${DEADLINE_MS} ms: ${where}`).toBe(false);
    return;
  }
  if ('crashed' in r) return;
  for (const [what, outcome, codes] of [['load', r.load, LOAD_CODES], ['launch', r.launch, LAUNCH_CODES]] as const) {
    if (outcome === undefined || outcome === 'ok') continue;
    expect('exception' in outcome ? outcome.exception : undefined, `${what}: ${where}`).toBeUndefined();
    if ('code' in outcome) {
      expect(codes, `${what} gave ${outcome.code}: ${outcome.message}\n${where}`).toContain(outcome.code);
      expect(outcome.message.length, outcome.message).toBeLessThan(600);
      // the engine's own words in a guest-facing message are a device fault in disguise
      expect(outcome.message, `${what}: ${where}`).not.toMatch(ENGINE_INTERNALS);
    }
  }
  expect(r.outside ?? 0, `bytes written outside the windows: ${where}`).toBe(0);
}

const launchShape = fc.record({
  grid: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.constant(1), fc.constant(1)),
  block: fc.tuple(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 2 }), fc.constant(1)),
  sharedMemBytes: fc.constantFrom(0, 0, 64, 4096),
  scalars: fc.array(fc.oneof(fc.integer({ min: 0, max: 64 }), fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xffffffff)), { minLength: 1, maxLength: 4 }),
  wasm: fc.boolean(),
});

// --- mutated fixtures ----------------------------------------------------------------------

const fixtureTexts = readdirSync(fixtures)
  .filter((f) => f.endsWith('.ptx'))
  .map((f) => readFileSync(join(fixtures, f), 'utf8'));

const REPLACEMENTS = ['%r999', '%r1', '%rd1', '%f1', '%p1', '0x', '0', '-1', '4294967295', '0f7FC00000', '[', ']', ';', ',', '{', '}', '.reg', '.b32', '.u64', '@', '-', '$L__x', '.shared', '.local', '.const', 'bar.sync', 'shfl.sync.down.b32', 'ret', 'exit', '65536'];

const mutation = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('delete', 'duplicate', 'replace', 'swap-digit'),
  other: fc.nat(),
  replacement: fc.constantFrom(...REPLACEMENTS),
});

function mutate(text: string, ms: { at: number; kind: string; other: number; replacement: string }[]): string {
  const tokens = text.split(/(\s+|[,;[\]{}()])/);
  for (const m of ms) {
    const at = m.at % tokens.length;
    if (m.kind === 'delete') tokens.splice(at, 1);
    else if (m.kind === 'duplicate') tokens.splice(at, 0, tokens[m.other % tokens.length]!);
    else if (m.kind === 'replace') tokens[at] = m.replacement;
    else tokens[at] = tokens[at]!.replace(/\d+/, (d) => String((Number(d) * 7 + m.other) % 100_000));
  }
  return tokens.join('');
}

// --- generated kernels ---------------------------------------------------------------------

const reg = (k: string, n: number) => fc.integer({ min: 0, max: n - 1 }).map((i) => `%${k}${i}`);
const r32 = reg('r', 8);
const imm = fc.oneof(fc.integer({ min: -8, max: 64 }).map(String), fc.constantFrom('0', '1', '31', '32', '-1', '2147483647', '-2147483648', '4294967295'));
const src32 = fc.oneof(r32, r32, imm);
const f32 = reg('f', 4);
const pred = reg('p', 4);
const off = fc.constantFrom(0, 4, 8, 60, 1020, 1024, 1028, -4, 4096, 65536);

const instruction = fc.oneof(
  fc.tuple(fc.constantFrom('add', 'sub', 'mul.lo', 'min', 'max', 'div', 'rem'), fc.constantFrom('s32', 'u32'), r32, src32, src32).map(([o, t, d, a, b]) => `${o}.${t} ${d}, ${a}, ${b};`),
  fc.tuple(fc.constantFrom('and', 'or', 'xor', 'shl', 'shr'), r32, src32, src32).map(([o, d, a, b]) => `${o}.b32 ${d}, ${a}, ${b};`),
  fc.tuple(fc.constantFrom('add.rn', 'sub.rz', 'mul.rm', 'div.rn', 'min', 'max', 'div.approx'), f32, f32, f32).map(([o, d, a, b]) => `${o}.f32 ${d}, ${a}, ${b};`),
  fc.tuple(fc.constantFrom('sqrt.rn', 'abs', 'neg', 'rcp.rn', 'ex2.approx', 'sin.approx'), f32, f32).map(([o, d, a]) => `${o}.f32 ${d}, ${a};`),
  fc.tuple(fc.constantFrom('cvt.rn.f32.s32', 'cvt.rn.f32.u32', 'cvt.rp.f32.s32'), f32, r32).map(([o, d, a]) => `${o} ${d}, ${a};`),
  fc.tuple(fc.constantFrom('cvt.rzi.s32.f32', 'cvt.rni.u32.f32', 'cvt.sat.s32.f32'), r32, f32).map(([o, d, a]) => `${o} ${d}, ${a};`),
  fc.tuple(fc.constantFrom('lt', 'eq', 'ge', 'ne'), fc.constantFrom('s32', 'u32'), pred, src32, src32).map(([c, t, p, a, b]) => `setp.${c}.${t} ${p}, ${a}, ${b};`),
  fc.tuple(r32, src32, src32, pred).map(([d, a, b, p]) => `selp.b32 ${d}, ${a}, ${b}, ${p};`),
  fc.tuple(r32, fc.constantFrom('%tid.x', '%tid.y', '%ntid.x', '%ctaid.x', '%laneid', '%warpid')).map(([d, s]) => `mov.u32 ${d}, ${s};`),
  // global memory through the window's pointer, at an index from a register (often outside it)
  fc.tuple(r32, off, fc.boolean(), r32).map(([i, o, store, v]) => `and.b32 %r7, ${i}, 255;\n  mul.wide.u32 %rd1, %r7, 4;\n  add.s64 %rd2, %rd0, %rd1;\n  ${store ? `st.global.u32 [%rd2+${o}], ${v}` : `ld.global.u32 ${v}, [%rd2+${o}]`};`),
  fc.tuple(r32, off).map(([v, o]) => `atom.global.add.u32 ${v}, [%rd0+${o}], ${v};`),
  fc.tuple(r32, fc.constantFrom(0, 4, 60, 64, 4096, -4), fc.boolean()).map(([v, o, store]) => (store ? `st.shared.u32 [sh+${o}], ${v};` : `ld.shared.u32 ${v}, [sh+${o}];`)),
  fc.tuple(r32, fc.constantFrom(0, 4, 60, 64, -4), fc.boolean()).map(([v, o, store]) => (store ? `st.local.u32 [lo+${o}], ${v};` : `ld.local.u32 ${v}, [lo+${o}];`)),
  fc.tuple(r32, fc.constantFrom(0, 4, 1024, 65532)).map(([v, o]) => `ld.const.u32 ${v}, [co+${o}];`),
  fc.constant('bar.sync 0;'),
  fc.tuple(r32, r32, fc.constantFrom('up', 'down', 'bfly', 'idx'), src32).map(([d, a, m, b]) => `shfl.sync.${m}.b32 ${d}, ${a}, ${b}, 31, -1;`),
  fc.tuple(r32, pred).map(([d, p]) => `vote.sync.ballot.b32 ${d}, ${p}, -1;`),
  fc.tuple(r32, r32).map(([d, a]) => `redux.sync.add.u32 ${d}, ${a}, -1;`),
  // a supported opcode with arbitrary operands: the validator's arity and shape checks
  fc.tuple(fc.constantFrom('add.s32', 'mad.lo.s32', 'shfl.sync.up.b32', 'ld.global.u32', 'st.shared.u32', 'atom.global.cas.b32', 'bfi.b32', 'selp.b32', 'bar.red.popc.u32', 'vote.sync.all.pred', 'cvt.u32.u64', 'prmt.b32'), fc.array(fc.oneof(src32, pred, fc.constantFrom('[%rd0]', '{%r1, %r2}', '%p1|%p2', '_')), { maxLength: 6 })).map(([o, ops]) => `${o} ${ops.join(', ')};`),
);

/** Straight-line code with forward branches only, so every launch of it ends. */
const generatedKernel = fc
  .record({
    body: fc.array(fc.tuple(instruction, fc.option(fc.tuple(pred, fc.boolean()), { nil: undefined })), { minLength: 1, maxLength: 24 }),
    shared: fc.constantFrom(64, 1024),
    local: fc.constantFrom(16, 64),
  })
  .map(({ body, shared, local }) => {
    const lines = body.map(([ins, branch], i) => {
      // a guarded forward branch over the next instruction, to the label after it
      const skip = branch ? `  @${branch[1] ? '!' : ''}${branch[0]} bra $L${i};\n` : '';
      return `${skip}  ${ins}\n${branch ? `$L${i}:\n` : ''}`;
    });
    return `.version 8.0\n.target sm_75\n.address_size 64\n.const .align 4 .b32 co[16] = {1, 2, 3};\n.visible .entry k(.param .u64 p0, .param .u32 n)\n{\n  .reg .pred %p<4>;\n  .reg .b32 %r<8>;\n  .reg .b64 %rd<4>;\n  .reg .f32 %f<4>;\n  .shared .align 4 .b8 sh[${shared}];\n  .local .align 4 .b8 lo[${local}];\n  ld.param.u64 %rd0, [p0];\n  cvta.to.global.u64 %rd0, %rd0;\n  ld.param.u32 %r1, [n];\n  mov.u32 %r0, %tid.x;\n  setp.lt.u32 %p0, %r0, %r1;\n  cvt.rn.f32.u32 %f0, %r0;\n${lines.join('')}  ret;\n}\n`;
  });

// A campaign's own time limit grows with its case count: a fixed 600 s cut the 100 000-case run short.
const CAMPAIGN_TIMEOUT_MS = Math.max(600_000, RUNS * 30);

describe('PTX fuzzing on the CPU device', () => {
  test.prop([fc.constantFrom(...fixtureTexts.keys()), fc.array(mutation, { minLength: 1, maxLength: 4 }), launchShape], { numRuns: Math.max(1, Math.round(RUNS / 4)) })(
    'mutated fixtures load and launch with documented outcomes only',
    async (which, mutations, shape) => {
      const text = mutate(fixtureTexts[which]!, mutations);
      const entry = /\.entry\s+(\w+)/.exec(text)?.[1] ?? 'k';
      const c: FuzzCase = { ptx: text, entry, ...shape };
      const r = await run(c);
      // a load never hangs: only a launch of a mutated loop may
      check(c, r, 'hang' in r ? false : true);
    },
    CAMPAIGN_TIMEOUT_MS,
  );

  test.prop([generatedKernel, launchShape], { numRuns: RUNS })(
    'generated kernels load and run to the end with documented outcomes only',
    async (ptx, shape) => {
      const c: FuzzCase = { ptx, entry: 'k', ...shape };
      check(c, await run(c), true);
    },
    CAMPAIGN_TIMEOUT_MS,
  );

});
