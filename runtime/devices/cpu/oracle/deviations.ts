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

// Empty: defects 1-3 of issue 14 and the Wasm backend's `.ftz` on f32 → integer cvt are fixed; the
// entries that excused them flipped red as designed and were removed.
export const DEVIATIONS: readonly Deviation[] = [];

/** The deviations that may apply to a form on a backend (checked once per form, not per case). */
export function deviationsOf(f: Form, backend: 'js' | 'wasm'): Deviation[] {
  return DEVIATIONS.filter((d) => d.backends.includes(backend) && d.forms.test(f.id));
}

export function deviationFor(candidates: readonly Deviation[], f: Form, c: CaseView): Deviation | undefined {
  return candidates.find((d) => !d.when || d.when(c, f));
}
