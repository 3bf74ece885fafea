/**
 * Small readings of PTX text the workbench shows next to a launch: where an entry starts, and the
 * registers its body declares. Pure, no Node or DOM.
 */

/** 1-based line of `.entry <name>` (or `.visible .entry`), or undefined. */
export function entryLine(ptx: string, entry: string): number | undefined {
  const name = entry.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`\\.entry\\s+${name}(?=[\\s(]|$)`);
  const i = ptx.split('\n').findIndex((l) => re.test(l));
  return i >= 0 ? i + 1 : undefined;
}

export interface RegisterCount {
  /** 32-bit registers the entry's declarations add up to (a 64-bit register counts 2, predicates none). */
  registers32: number;
  /** The declarations read: `.reg .f32 %f<5>` → { type: 'f32', count: 5 }. */
  declarations: { type: string; count: number }[];
}

const WIDTH: Record<string, number> = { b8: 1, u8: 1, s8: 1, b16: 1, u16: 1, s16: 1, f16: 1, bf16: 1, b32: 1, u32: 1, s32: 1, f32: 1, f16x2: 1, bf16x2: 1, b64: 2, u64: 2, s64: 2, f64: 2, b128: 4, pred: 0 };

/**
 * Registers declared in an entry's body: the virtual registers nvcc wrote (`.reg .b32 %r<12>;`).
 * An upper bound on what ptxas allocates (it reuses registers; it may also add a few), so the
 * occupancy calculator starts from it and says so. Undefined when the entry is not there.
 */
export function entryRegisters(ptx: string, entry: string): RegisterCount | undefined {
  const start = entryLine(ptx, entry);
  if (start === undefined) return undefined;
  const lines = ptx.split('\n').slice(start - 1);
  const declarations: { type: string; count: number }[] = [];
  let depth = 0;
  let opened = false;
  for (const line of lines) {
    const code = line.replace(/\/\/.*$/, '');
    const m = /^\s*\.reg\s+\.(\w+)\s+(?:%\w+<(\d+)>|(%\w+(?:\s*,\s*%\w+)*))\s*;/.exec(code);
    if (m && opened && depth === 1) declarations.push({ type: m[1]!, count: m[2] !== undefined ? Number(m[2]) : m[3]!.split(',').length });
    for (const ch of code) {
      if (ch === '{') {
        depth++;
        opened = true;
      } else if (ch === '}') depth--;
    }
    if (opened && depth === 0) break;
  }
  const registers32 = declarations.reduce((n, d) => n + (WIDTH[d.type] ?? 1) * d.count, 0);
  return { registers32, declarations };
}
