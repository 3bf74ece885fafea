/**
 * Where the device is known to differ from the ISA oracle. Each entry excuses only the cases it
 * names (form, backend, and a condition on the case); instruction-forms.test.ts has an `it.fails`
 * per entry that asserts those cases agree — so the test turns red, asking for the entry to go,
 * the day the defect is fixed. Every entry is listed in docs/PTX-COVERAGE.md.
 */
import type { Form } from './forms.js';

export interface CaseView {
  /** Raw operand bits (slots a, b, c, e). */
  ins: bigint[];
  /** The oracle's result bits. */
  ref: bigint;
}

export interface Deviation {
  id: string;
  /** What is wrong, and who fixes it (issue 14's defect numbers are being fixed in parallel). */
  defect: string;
  forms: RegExp;
  backends: readonly ('js' | 'wasm')[];
  /** Which cases of a matching form are affected; all when absent. */
  when?: (c: CaseView, f: Form) => boolean;
  whenText: string;
}

const nan32 = (b: bigint): boolean => (b & 0x7f800000n) === 0x7f800000n && (b & 0x7fffffn) !== 0n;
const nan64 = (b: bigint): boolean => (b & 0x7ff0000000000000n) === 0x7ff0000000000000n && (b & 0xfffffffffffffn) !== 0n;
const nan16 = (b: bigint): boolean => (b & 0x7c00n) === 0x7c00n && (b & 0x3ffn) !== 0n;
const sub32 = (b: bigint): boolean => (b & 0x7f800000n) === 0n && (b & 0x7fffffn) !== 0n;
const sub64 = (b: bigint): boolean => (b & 0x7ff0000000000000n) === 0n && (b & 0xfffffffffffffn) !== 0n;
const isNaNOf = (t: string, b: bigint): boolean => (t === 'f64' ? nan64(b) : t === 'f16' ? nan16(b & 0xffffn) : nan32(b & 0xffffffffn));
const negZero = (f: Form, r: bigint): boolean => (f.out === 'f64' ? r === 0x8000000000000000n : (r & 0xffffffffn) === 0x80000000n);
const maxFinite = (f: Form, r: bigint): boolean =>
  f.out === 'f64' ? (r & 0x7fffffffffffffffn) === 0x7fefffffffffffffn : (r & 0x7fffffffn) === 0x7f7fffffn;

export const DEVIATIONS: readonly Deviation[] = [
  {
    id: 'cvt-nan-to-int',
    defect: 'issue 14 defect 2 (being fixed): a NaN converts to 0 for every (source, destination) pair',
    forms: /^cvt\.r[nzmp]i(\.ftz)?\.[su]\d+\.f(16|32|64)$/,
    backends: ['js', 'wasm'],
    when: (c, f) => isNaNOf(f.ins[0]!, c.ins[0]!),
    whenText: 'NaN source',
  },
  {
    id: 'cvt-int-to-float-rounding',
    defect: 'issue 14 defect 3 (being fixed): .rz/.rm/.rp of integer → float conversions round to nearest',
    forms: /^cvt\.r[zmp]\.f(16|32|64)\.[su]\d+$/,
    backends: ['js'],
    whenText: 'all cases',
  },
  {
    id: 'wasm-cvt-ftz',
    defect: 'the Wasm backend ignores .ftz of f32 → integer conversions',
    forms: /^cvt\.r[nzmp]i\.ftz\.[su]\d+\.f32$/,
    backends: ['wasm'],
    when: (c) => sub32(c.ins[0]! & 0xffffffffn),
    whenText: 'subnormal source',
  },
];

/** The deviations that may apply to a form on a backend (checked once per form, not per case). */
export function deviationsOf(f: Form, backend: 'js' | 'wasm'): Deviation[] {
  return DEVIATIONS.filter((d) => d.backends.includes(backend) && d.forms.test(f.id));
}

export function deviationFor(candidates: readonly Deviation[], f: Form, c: CaseView): Deviation | undefined {
  return candidates.find((d) => !d.when || d.when(c, f));
}
