/**
 * Every instruction form in forms.ts against C compiled by gcc (see oracle-c.ts), on the
 * JavaScript and the WebAssembly backend, and docs/PTX-COVERAGE.md generated from the result.
 * One gcc compile for all forms; one kernel per operand signature and backend, one thread per case.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { SUPPORTED_OPCODES } from '../validator.js';
import { makeCaseSet, type CaseSet } from './cases.js';
import { agrees, describeBits, describeInput } from './compare.js';
import { renderCoverage, type FormSummary } from './coverage-doc.js';
import { DEVIATIONS, deviationFor, deviationsOf } from './deviations.js';
import { FORMS, OTHER_ORACLES, type Form } from './forms.js';
import { gccAvailable, runOracle, type OracleResult } from './oracle-c.js';
import { probeForms, runForms, type Acceptance } from './run-device.js';

const SEED = Number(process.env.ORACLE_SEED ?? 20261206);
const RANDOM_PER_SET = 500;
const DOC = fileURLToPath(new URL('../../../../docs/PTX-COVERAGE.md', import.meta.url));
const BACKENDS = ['js', 'wasm'] as const;
type Backend = (typeof BACKENDS)[number];

interface Mismatch {
  form: Form;
  backend: Backend;
  text: string;
  deviation?: string;
}

interface Results {
  acceptance: Acceptance[];
  sets: CaseSet[];
  setIndex: Map<string, number>;
  oracle: OracleResult[];
  /** Unexcused mismatches, and the excused ones per deviation id and backend. */
  mismatches: Mismatch[];
  excusedAgreeing: Map<string, { compared: number; disagreeing: number }>;
}

function computeAll(): Results {
  const acceptance = probeForms(FORMS);
  const keys = [...new Set(FORMS.map((f) => f.ins.join(',')))];
  const sets = keys.map((k) => makeCaseSet(k.split(',') as Form['ins'], SEED, RANDOM_PER_SET));
  const setIndex = new Map(keys.map((k, i) => [k, i]));
  const oracle = runOracle(FORMS, sets, setIndex);
  const mismatches: Mismatch[] = [];
  const excused = new Map<string, { compared: number; disagreeing: number }>();
  for (const backend of BACKENDS) {
    for (const key of keys) {
      const idx = FORMS.map((_, i) => i).filter((i) => FORMS[i]!.ins.join(',') === key && acceptance[i]![backend]);
      if (idx.length === 0) continue;
      const set = sets[setIndex.get(key)!]!;
      const results = runForms(idx.map((i) => FORMS[i]!), set, backend, `forms_${backend}_${setIndex.get(key)}`);
      idx.forEach((i, j) => {
        const f = FORMS[i]!, ref = oracle[i]!, dev = results[j]!;
        const candidates = deviationsOf(f, backend);
        for (let c = 0; c < set.count; c++) {
          if (ref.skip[c]) continue;
          const ok = agrees(f, dev[c]!, ref.values[c]!);
          if (ok && candidates.length === 0) continue;
          const ins = f.ins.map((_, q) => set.slots[c * 4 + q]!);
          const d = candidates.length ? deviationFor(candidates, f, { ins, ref: ref.values[c]! }) : undefined;
          if (d) {
            const k = `${d.id}/${backend}`;
            const e = excused.get(k) ?? { compared: 0, disagreeing: 0 };
            e.compared++;
            if (!ok) e.disagreeing++;
            excused.set(k, e);
            continue;
          }
          if (!ok) {
            const text = `${f.id} (${backend}): inputs ${f.ins.map((t, q) => describeInput(t, ins[q]!)).join(', ')} gave ${describeBits(f.out, dev[c]!)}, the C oracle ${describeBits(f.compare.kind === 'approx' ? 'f64' : f.out, ref.values[c]!)} (seed ${SEED})`;
            mismatches.push({ form: f, backend, text });
          }
        }
      });
    }
  }
  return { acceptance, sets, setIndex, oracle, mismatches, excusedAgreeing: excused };
}

describe.skipIf(!gccAvailable())('PTX instruction forms against C compiled by gcc from the ISA text', () => {
  let R: Results;
  beforeAll(() => {
    R = computeAll();
  }, 180_000);

  const families = [...new Set(FORMS.map((f) => f.family))];
  for (const backend of BACKENDS) {
    for (const fam of families) {
      it(`${fam}: the ${backend === 'js' ? 'JavaScript' : 'WebAssembly'} backend agrees with the oracle on every case`, () => {
        const bad = R.mismatches.filter((m) => m.backend === backend && m.form.family === fam);
        const perForm = new Map<string, string[]>();
        for (const m of bad) perForm.set(m.form.id, [...(perForm.get(m.form.id) ?? []), m.text]);
        const report = [...perForm.entries()].map(([id, t]) => `${id}: ${t.length} cases, e.g. ${t[0]}`);
        expect(report).toEqual([]);
      });
    }
  }

  it('runs the forms on the backends that accept them (the table is not vacuous)', () => {
    const js = R.acceptance.filter((a) => a.js).length;
    const wasm = R.acceptance.filter((a) => a.wasm).length;
    expect(js).toBeGreaterThan(FORMS.length * 0.9);
    expect(wasm).toBeGreaterThan(100);
  });

  it('has a row for every opcode the device accepts', () => {
    const inTable = new Set(FORMS.map((f) => f.opcode));
    const missing = [...SUPPORTED_OPCODES].filter((op) => !inTable.has(op) && !(op in OTHER_ORACLES));
    expect(missing).toEqual([]);
  });

  it('docs/PTX-COVERAGE.md is what this test generates (UPDATE_COVERAGE=1 rewrites it)', () => {
    const rows: FormSummary[] = FORMS.map((form, i) => {
      const set = R.sets[R.setIndex.get(form.ins.join(','))!]!;
      return { form, acceptance: R.acceptance[i]!, set, unspecified: R.oracle[i]!.skip.reduce((s, x) => s + x, 0) };
    });
    const doc = renderCoverage(rows, SEED, RANDOM_PER_SET);
    // every accepted form has its row
    for (const r of rows) if (r.acceptance.js) expect(doc).toContain(`| \`${r.form.id}\` | yes |`);
    if (process.env.UPDATE_COVERAGE === '1') writeFileSync(DOC, doc);
    expect(readFileSync(DOC, 'utf8')).toBe(doc);
  });

  describe('known deviations (each turns red when fixed: then drop its entry in deviations.ts)', () => {
    it('every listed deviation names a defect and at least one backend', () => {
      for (const d of DEVIATIONS) {
        expect(d.defect.trim()).not.toBe('');
        expect(d.backends.length).toBeGreaterThan(0);
      }
    });
    for (const d of DEVIATIONS) {
      for (const backend of d.backends) {
        it.fails(`${d.id} (${backend}): ${d.defect}`, () => {
          const e = R.excusedAgreeing.get(`${d.id}/${backend}`);
          // no case ran (the backend refuses those forms): nothing to flip yet
          if (!e) throw new Error('no case of this deviation ran on this backend');
          expect(e.disagreeing).toBe(0);
        });
      }
    }
  });
});
