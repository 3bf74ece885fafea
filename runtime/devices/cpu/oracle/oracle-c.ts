/**
 * Builds one C program for the whole form table (oracle-prelude.h + one function per form),
 * compiles it once with gcc and runs it on every case set. Output per form: one 64-bit result
 * per case, then one byte per case saying whether the ISA leaves that case unspecified (or, for
 * approximate forms, outside the documented error bound's domain).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseSet } from './cases.js';
import { C_TYPE, type Form, type OpType } from './forms.js';

const LETTERS = ['a', 'b', 'c', 'e'] as const;

export function gccAvailable(): boolean {
  return spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status === 0;
}

function declare(t: OpType, name: string, slot: number): string {
  const s = `s[${slot}]`;
  switch (t) {
    case 'pred': return `int ${name} = ${s} != 0;`;
    case 'f16': return `_Float16 ${name}; { uint16_t t_ = (uint16_t)${s}; memcpy(&${name}, &t_, 2); }`;
    case 'f32': return `float ${name}; { uint32_t t_ = (uint32_t)${s}; memcpy(&${name}, &t_, 4); }`;
    case 'f64': return `double ${name}; { uint64_t t_ = ${s}; memcpy(&${name}, &t_, 8); }`;
    default: return `${C_TYPE[t]} ${name} = (${C_TYPE[t]})${s};`;
  }
}

function resultBits(f: Form): string {
  if (f.compare.kind === 'approx') return 'memcpy(out, &r, 8);';
  switch (f.out) {
    case 'pred': return '*out = r ? 1 : 0;';
    case 'f16': return '{ uint16_t t_; memcpy(&t_, &r, 2); *out = t_; }';
    case 'f32': return '{ uint32_t t_; memcpy(&t_, &r, 4); *out = t_; }';
    case 'f64': return 'memcpy(out, &r, 8);';
    default: return '*out = (uint64_t)r;';
  }
}

export function oracleSource(forms: readonly Form[], setOf: (f: Form) => number): string {
  const prelude = readFileSync(fileURLToPath(new URL('./oracle-prelude.h', import.meta.url)), 'utf8');
  const fns = forms.map((f, k) => {
    const decls = f.ins.map((t, i) => declare(t, LETTERS[i]!, i)).join('\n  ');
    const rtype = f.compare.kind === 'approx' ? 'double' : C_TYPE[f.out];
    const skip = [f.unspecified, f.compare.kind === 'approx' && f.compare.domain ? `!(${f.compare.domain})` : undefined].filter((x) => x).join(' || ') || '0';
    return `/* ${f.id} */\nstatic void form_${k}(const uint64_t *s, uint64_t *out, uint8_t *skip) {\n  ${decls}\n  ${rtype} r = 0;\n  ${f.c}\n  ${resultBits(f)}\n  *skip = (${skip}) ? 1 : 0;\n}`;
  });
  const table = forms.map((f, k) => `{ form_${k}, ${setOf(f)} }`).join(',\n  ');
  return `${prelude}
${fns.join('\n')}
typedef void (*form_fn)(const uint64_t *, uint64_t *, uint8_t *);
static const struct { form_fn fn; int set; } FORMS[] = {
  ${table}
};
int main(int argc, char **argv) {
  FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[2], "wb");
  uint32_t nsets;
  if (fread(&nsets, 4, 1, in) != 1) return 2;
  uint32_t *counts = calloc(nsets, 4);
  uint64_t **sets = calloc(nsets, sizeof(uint64_t *));
  for (uint32_t i = 0; i < nsets; i++) {
    if (fread(&counts[i], 4, 1, in) != 1) return 2;
    sets[i] = malloc((size_t)counts[i] * 32);
    if (fread(sets[i], 32, counts[i], in) != counts[i]) return 2;
  }
  for (size_t k = 0; k < sizeof FORMS / sizeof FORMS[0]; k++) {
    uint32_t n = counts[FORMS[k].set];
    uint64_t *res = calloc(n, 8);
    uint8_t *skip = calloc(n, 1);
    for (uint32_t i = 0; i < n; i++) {
      feclearexcept(FE_ALL_EXCEPT);
      FORMS[k].fn(sets[FORMS[k].set] + (size_t)i * 4, res + i, skip + i);
    }
    fwrite(res, 8, n, out);
    fwrite(skip, 1, n, out);
    free(res);
    free(skip);
  }
  fclose(out);
  return 0;
}
`;
}

export interface OracleResult {
  values: BigUint64Array;
  skip: Uint8Array;
}

/** Compiles the program once and runs it over all case sets; results per form, in `forms` order. */
export function runOracle(forms: readonly Form[], sets: CaseSet[], setIndex: Map<string, number>): OracleResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'ptx-oracle-'));
  try {
    const src = join(dir, 'oracle.c'), bin = join(dir, 'oracle'), input = join(dir, 'in.bin'), output = join(dir, 'out.bin');
    writeFileSync(src, oracleSource(forms, (f) => setIndex.get(f.ins.join(','))!));
    execFileSync('gcc', ['-O0', '-std=gnu11', '-frounding-math', '-fsignaling-nans', '-ffp-contract=off', '-fno-builtin', '-w', '-o', bin, src, '-lm'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const parts: Uint8Array[] = [new Uint8Array(new Uint32Array([sets.length]).buffer)];
    for (const s of sets) {
      parts.push(new Uint8Array(new Uint32Array([s.count]).buffer));
      parts.push(new Uint8Array(s.slots.buffer, s.slots.byteOffset, s.count * 32));
    }
    writeFileSync(input, Buffer.concat(parts));
    execFileSync(bin, [input, output], { stdio: ['ignore', 'ignore', 'pipe'] });
    const data = readFileSync(output);
    const results: OracleResult[] = [];
    let off = 0;
    for (const f of forms) {
      const n = sets[setIndex.get(f.ins.join(','))!]!.count;
      const values = new BigUint64Array(n);
      const dv = new DataView(data.buffer, data.byteOffset);
      for (let i = 0; i < n; i++) values[i] = dv.getBigUint64(off + i * 8, true);
      off += n * 8;
      results.push({ values, skip: new Uint8Array(data.subarray(off, off + n)) });
      off += n;
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
