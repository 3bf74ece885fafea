/**
 * The PTX text behind a launch's `ptxHash`, found in the module that launched it. A launch event
 * names its PTX by sha256 only (the text stays in the instance); guests embed their PTX as data —
 * a C string in a data segment, or a Rust `include_str!` in rodata — so its bytes are in the
 * module file verbatim. We look for each `.version` directive, take the run of text around it, and
 * hash the spans a guest could have passed (up to a top-level `}`, with or without the trailing
 * newline or NUL) until one matches. Bounded: at most MAX_HASHED_BYTES hashed per lookup.
 */
import { createHash } from 'node:crypto';

const VERSION = Buffer.from('.version');
/** PTX over the wasi:cuda limit (8 MiB) could never have been loaded. */
const MAX_PTX_BYTES = 8 * 1024 * 1024;
const MAX_HASHED_BYTES = 256 * 1024 * 1024;
/** How far before `.version` a header (comments, blank lines) may start. */
const MAX_HEADER_BYTES = 4096;

const isText = (b: number) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127);

export function findPtx(moduleBytes: Uint8Array, ptxHash: string): string | undefined {
  const bytes = Buffer.from(moduleBytes.buffer, moduleBytes.byteOffset, moduleBytes.byteLength);
  let budget = MAX_HASHED_BYTES;
  const matches = (start: number, end: number) => {
    budget -= end - start;
    return createHash('sha256').update(bytes.subarray(start, end)).digest('hex') === ptxHash;
  };
  for (let at = bytes.indexOf(VERSION); at >= 0 && budget > 0; at = bytes.indexOf(VERSION, at + 1)) {
    let regionStart = at;
    while (regionStart > 0 && at - regionStart < MAX_HEADER_BYTES && isText(bytes[regionStart - 1]!)) regionStart--;
    let regionEnd = at;
    while (regionEnd < bytes.length && regionEnd - regionStart < MAX_PTX_BYTES && isText(bytes[regionEnd]!)) regionEnd++;
    // Starts: the region's start and every line start before `.version` (text before it may be another string).
    const starts = [regionStart];
    for (let i = regionStart; i < at; i++) if (bytes[i] === 10) starts.push(i + 1);
    if (!starts.includes(at)) starts.push(at);
    // Ends: after each top-level `}` (a `}` that starts a line), with the newlines after it, and the region's end (plus its NUL).
    const ends = new Set<number>([regionEnd]);
    if (bytes[regionEnd] === 0) ends.add(regionEnd + 1);
    for (let i = at; i < regionEnd; i++) {
      if (bytes[i] !== 0x7d || bytes[i - 1] !== 10) continue;
      let e = i + 1;
      ends.add(e);
      while (e < regionEnd && (bytes[e] === 10 || bytes[e] === 13)) ends.add(++e);
    }
    for (const s of starts) for (const e of ends) {
      if (budget <= 0) return undefined;
      if (matches(s, e)) return bytes.subarray(s, e).toString('latin1');
    }
  }
  return undefined;
}
