/**
 * Proof by V8: every lifted SIMD opcode runs in a loop once in V8 (the original module, offload
 * off) and once promoted, its kernel on the CPU device, on the edge values of its lane type and
 * on random bytes; the stored bytes must be identical. Wasm's semantics as V8 implements them are
 * the oracle; nothing here computes an expected value itself. The test also checks that refused
 * opcodes are refused with their own reason, that no reason calls a lifted opcode "not
 * element-wise", and generates the opcode table in docs/AUTO-OFFLOAD.md (UPDATE_OFFLOAD_DOC=1
 * rewrites it; plain runs only compare).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OffloadSettings } from '../../contract/engine.js';
import type { OffloadEvent, RunEventBody } from '../../contract/events.js';
import { CpuDevice } from '../devices/cpu/cpu-device.js';
import { analyzeOffload } from './analyze.js';
import { createOffloadHost } from './offload-host.js';
import { generateKernel } from './ptx-codegen.js';
import { importNameFor, OFFLOAD_IMPORT_MODULE } from './rewrite.js';
import { allCases, edgeInputs, type DiffCase } from './simd-diff-cases.js';
import { A, B, C, buildCaseModule, localGet, P_A, simdOp } from './simd-diff-module.js';
import { renderOpcodeTable, withOpcodeTable } from './simd-opcode-doc.js';
import { allSimdOpcodes, type SimdOpcode } from './simd-opcodes.js';
import type { Affine } from './symbolic.js';
import type { LoopPlan } from './types.js';

const ITER = 384;
const BYTES = ITER * 16;
const REGION = 8192;
const [DST, PA, PB, PC] = [0, REGION, 2 * REGION, 3 * REGION];
const SETTINGS: OffloadSettings = { enabled: true, tripCountThreshold: 16, v128RatioThreshold: 0.5 };
const RANDOM_RUNS = Number(process.env.SIMD_DIFF_RUNS ?? 2);
const DOC = new URL('../../docs/AUTO-OFFLOAD.md', import.meta.url);

const cases = allCases();
const moduleBytes = buildCaseModule(cases.map((c) => c.expr));

function firstDifference(label: string, s: number, on: Uint8Array, off: Uint8Array, inputs: Uint8Array[]): string | undefined {
  for (let at = 0; at < on.length; at++) {
    if (on[at] === off[at]) continue;
    const v = Math.floor(at / 16) * 16;
    const hex = (bytes: Uint8Array | undefined): string => [...(bytes ?? new Uint8Array()).subarray(v, v + 16)].map((x) => x.toString(16).padStart(2, '0')).join('');
    return `${label} (s=${s}): byte ${at} differs; vector ${v / 16}: kernel ${hex(on)} V8 ${hex(off)}; inputs a=${hex(inputs[0])} b=${hex(inputs[1])} c=${hex(inputs[2])}`;
  }
  return undefined;
}

function place(memory: WebAssembly.Memory, inputs: Uint8Array[]): void {
  const view = new Uint8Array(memory.buffer);
  view.fill(0xa5, DST, DST + BYTES);
  inputs.forEach((bytes, i) => view.set(bytes, [PA, PB, PC][i] as number));
}

/** Offload off: the original module in V8. */
let original: WebAssembly.Instance;
/**
 * Offload on: the guard's call into the offload host, with the values binaryen's rewrite passes
 * (latch operands, access bases, invariant params at loop entry), then the kernels' output.
 * (The guard itself is exercised by offload-run.test.ts and the compiler fixtures' test.)
 */
let promoted: (plan: LoopPlan, locals: number[]) => number;
let deviceMemory: WebAssembly.Memory;
let plans: LoopPlan[];
const events: OffloadEvent[] = [];

function evaluate(form: Affine, locals: number[]): number {
  let value = form.c;
  for (const [key, coef] of form.terms) value += coef * (locals[key] as number);
  return value | 0;
}

beforeAll(() => {
  original = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes), {});
  plans = analyzeOffload(moduleBytes, SETTINGS).plans;
  deviceMemory = new WebAssembly.Memory({ initial: 4 });
  const host = createOffloadHost({
    plans,
    settings: SETTINGS,
    memory: () => new Uint8Array(deviceMemory.buffer),
    wasmMemory: () => deviceMemory,
    emit: (e: RunEventBody) => {
      if (e.type === 'offload') events.push(e as OffloadEvent);
    },
    createDevice: () => new CpuDevice(),
  });
  const imports = host.imports[OFFLOAD_IMPORT_MODULE] as Record<string, (...args: number[]) => number>;
  promoted = (plan, locals) => {
    const raw = [evaluate(plan.left, locals), evaluate(plan.right, locals), ...plan.accesses.map((a) => evaluate(a.base, locals))];
    for (const p of plan.params) {
      if (p.k !== 'local') throw new Error(`unexpected param ${p.k}`);
      raw.push(locals[p.local] as number);
    }
    return (imports[importNameFor(plan)] as (...args: number[]) => number)(...raw);
  };
}, 60_000);

/** Runs one case on both sides; returns the first difference or a missing dispatch. */
function compare(index: number, c: DiffCase, s: number, inputs: Uint8Array[]): string | undefined {
  const plan = plans.find((p) => p.function === `func[${index}]`);
  if (!plan) return `${c.label}: no plan`;
  const locals = [DST, PA, PB, PC, BYTES, s, 0];
  place(deviceMemory, inputs);
  const before = events.length;
  const trips = promoted(plan, locals);
  const dispatched = events.slice(before).filter((e) => e.action === 'dispatch').length;
  if (dispatched !== 1 || trips !== ITER) return `${c.label}: not dispatched (${events.slice(before).map((e) => `${e.action}: ${e.reason}`).join('; ') || 'no event'})`;
  const memory = original.exports.memory as WebAssembly.Memory;
  place(memory, inputs);
  (original.exports[`f${index}`] as (...args: number[]) => void)(DST, PA, PB, PC, BYTES, s);
  const on = new Uint8Array(deviceMemory.buffer).slice(DST, DST + BYTES);
  const off = new Uint8Array(memory.buffer).slice(DST, DST + BYTES);
  return firstDifference(c.label, s, on, off, inputs);
}

describe('SIMD opcodes: kernels on the CPU device equal V8 running the loop', () => {
  it('every lifted opcode has a case and its loop is promoted and wired', () => {
    const lifted = allSimdOpcodes().filter((o) => o.refusal === undefined);
    expect(new Set(cases.map((c) => c.op.sub)).size).toBe(lifted.length);
    const report = analyzeOffload(moduleBytes, SETTINGS).report;
    const rejected = report.loops.filter((l) => l.decision !== 'promoted').map((l) => `${cases[Number(l.function.replace(/\D/g, ''))]?.label}: ${l.reason}`);
    expect(rejected).toEqual([]);
    expect(plans.length).toBe(cases.length);
  });

  it('identical bytes on the edge values of each lane type (NaN payloads and signs, ±0, ±Inf, subnormals, integer extremes)', () => {
    const failures: string[] = [];
    cases.forEach((c, index) => {
      const inputs = edgeInputs(c.input, BYTES, c.smallIndices);
      for (const s of c.shifts ?? [0]) {
        const problem = compare(index, c, s, inputs);
        if (problem) failures.push(problem);
      }
    });
    expect(failures).toEqual([]);
  });

  it('lane moves keep a signalling NaN: no lane leaves through a float register', () => {
    // extract_lane/replace_lane/splat are bit moves in Wasm. A device may hold float registers as
    // host doubles (the CPU device's JavaScript backend on Node 26 quiets an sNaN there), so the
    // kernel must take a moved lane's bits from the integer words it was read from.
    const moves = cases.map((c, index) => ({ c, index })).filter(({ c }) => /^f(32x4|64x2)\.(extract_lane|replace_lane|splat)/.test(c.label));
    expect(moves.length).toBeGreaterThan(0);
    for (const { c, index } of moves) {
      const plan = plans.find((p) => p.function === `func[${index}]`);
      expect(plan, c.label).toBeDefined();
      const ptx = generateKernel(plan!, 0, 'sm_75').ptx;
      expect(ptx, c.label).not.toMatch(/mov\.b64\s+%rd\d+,\s*%fd\d+;|mov\.b32\s+%r\d+,\s*%f\d+;/);
    }
  });

  it('identical bytes on random inputs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 3 * BYTES, maxLength: 3 * BYTES }), fc.integer(), (random, s) => {
        const inputs = [0, 1, 2].map((i) => random.subarray(i * BYTES, (i + 1) * BYTES));
        const failures: string[] = [];
        cases.forEach((c, index) => {
          for (const shift of c.shifts ? [s] : [0]) {
            const problem = compare(index, c, shift, inputs);
            if (problem) failures.push(problem);
          }
        });
        expect(failures).toEqual([]);
      }),
      { numRuns: RANDOM_RUNS, endOnFailure: true },
    );
  });
});

const hasPtxas = spawnSync('ptxas', ['--version']).status === 0;

describe('SIMD opcodes: the kernels are valid PTX for a GPU', () => {
  it.skipIf(!hasPtxas)('every lifted opcode\'s kernel assembles with ptxas for sm_75 and sm_90 (skipped when ptxas is missing)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-simd-ptx-'));
    for (const sm of ['sm_75', 'sm_90']) {
      // One module holding every kernel: one ptxas run per target.
      const kernels = plans.map((plan) => generateKernel(plan, 0, sm).ptx);
      const header = (kernels[0] as string).split('.visible')[0] as string;
      const file = join(dir, `all-${sm}.ptx`);
      writeFileSync(file, header + kernels.map((k) => `.visible${k.split('.visible')[1]}`).join('\n'));
      execFileSync('ptxas', [`-arch=${sm}`, '-o', join(dir, 'all.cubin'), file], { stdio: 'pipe' });
    }
    expect(plans.length).toBe(cases.length);
  }, 120_000);
});

/** A loop using a refused opcode, where one can be written with the case module's shape. */
function refusedExpr(op: SimdOpcode): number[] | undefined {
  const { name } = op;
  if (name === 'v128.store' || /store\d+_lane/.test(name)) return undefined;
  const address = [...localGet(P_A), ...localGet(6), 0x6a];
  if (/load\d+_lane/.test(name)) return [...address, ...B, ...simdOp(op.sub, 0, 0, 0)];
  if (name.startsWith('v128.load')) return [...address, ...simdOp(op.sub, 0, 0)];
  if (op.result === 'i32') return [...A, ...simdOp(op.sub), ...simdOp(0x11)];
  return [...[A, B, C].slice(0, op.operands.length).flat(), ...simdOp(op.sub)];
}

describe('SIMD opcodes: refusals and reasons', () => {
  it('each refused opcode in a loop is rejected with its own reason, which names it', () => {
    const refused = allSimdOpcodes().filter((o) => o.refusal !== undefined);
    const built = refused.map((o) => ({ op: o, expr: refusedExpr(o) })).filter((x): x is { op: SimdOpcode; expr: number[] } => x.expr !== undefined);
    expect(built.length).toBeGreaterThan(refused.length - 5);
    const report = analyzeOffload(buildCaseModule(built.map((x) => x.expr)), SETTINGS).report;
    built.forEach(({ op }, i) => {
      const loop = report.loops.find((l) => l.function === `func[${i}]`);
      expect(loop?.decision, op.name).toBe('rejected');
      expect(loop?.reason, op.name).toContain(op.refusal as string);
      expect(op.refusal?.startsWith(op.name), op.name).toBe(true);
    });
  });

  it('no rejection reason calls a lifted opcode "not element-wise", and none leaves an opcode unnamed', () => {
    const fixtures = new URL('../../fixtures/offload/', import.meta.url);
    const reasons = readdirSync(fixtures)
      .filter((f) => f.endsWith('.wasm'))
      .flatMap((f) => analyzeOffload(readFileSync(new URL(f, fixtures)), SETTINGS).report.loops.map((l) => l.reason));
    const refusedModule = buildCaseModule(allSimdOpcodes().map(refusedExpr).filter((e): e is number[] => e !== undefined));
    reasons.push(...analyzeOffload(refusedModule, SETTINGS).report.loops.map((l) => l.reason));
    reasons.push(...allSimdOpcodes().flatMap((o) => (o.refusal ? [o.refusal] : [])));
    const lifted = allSimdOpcodes().filter((o) => o.refusal === undefined);
    const false_ = reasons.filter((reason) => lifted.some((o) => new RegExp(`${o.name.replace(/\./g, '\\.')}\\b[^;]*not (an )?element-wise`).test(reason)));
    expect(false_).toEqual([]);
    expect(reasons.filter((r) => /simd 0x[0-9a-f]+(?! \(unassigned\))/.test(r))).toEqual([]);
  });

  it('docs/AUTO-OFFLOAD.md carries the generated opcode table', () => {
    const tested = new Map<number, Set<string>>();
    for (const c of cases) {
      const set = tested.get(c.op.sub) ?? new Set<string>();
      set.add(c.shapes);
      tested.set(c.op.sub, set);
    }
    const page = readFileSync(DOC, 'utf8');
    const expected = withOpcodeTable(page, renderOpcodeTable(tested));
    if (process.env.UPDATE_OFFLOAD_DOC === '1' && expected !== page) writeFileSync(DOC, expected);
    else expect(page, 'regenerate with UPDATE_OFFLOAD_DOC=1').toBe(expected);
  });
});
