/**
 * Address resolution for accesses the generated code could not prove in-bounds from its
 * window cache, and the compute-sanitizer-style report when an access is out of bounds.
 */
import { DeviceError } from '../../../contract/device.js';
import { CONST_HI, GLOBAL_HI, LOCAL_HI, MODVAR_HI, PARAM_HI, SHARED_HI, hex, type Region } from './address-space.js';

export interface Window {
  /** Kernel argument index (0-based) this window came from. */
  arg: number;
  offset: number;
  length: number;
}

/** The parts of the launch environment memcheck needs. */
export interface CheckEnv {
  kernelName: string;
  windows: Window[];
  /** Window bounds as plain arrays: small integers stay Smis, so the cached bounds compare as int32. */
  wlo: number[];
  wend: number[];
  cx: number;
  cy: number;
  cz: number;
  ntx: number;
  nty: number;
  shSize: number;
  frameSize: number;
  constSize: number;
  paramSize: number;
  modvarSize: number;
  sh: Region;
  lm: Region;
  cm: Region;
  pm: Region;
  mv: Region;
  xr: Region;
  xo: number;
}

function threadOf(E: CheckEnv, t: number): string {
  const x = t % E.ntx, y = Math.floor(t / E.ntx) % E.nty, z = Math.floor(t / (E.ntx * E.nty));
  return `thread (${x},${y},${z}) in block (${E.cx},${E.cy},${E.cz})`;
}

export function launchFault(E: CheckEnv, message: string, t: number, line: number): DeviceError {
  return new DeviceError(-5, `${message} in kernel '${E.kernelName}' by ${threadOf(E, t)} (PTX line ${line})`);
}

function nearestWindow(E: CheckEnv, addr: number, size: number): string {
  if (E.windows.length === 0) return 'the launch has no pointer arguments';
  let best: { w: Window; dist: number; where: string } | undefined;
  for (const w of E.windows) {
    const start = GLOBAL_HI * 2 ** 32 + w.offset;
    const end = start + w.length;
    let dist: number, where: string;
    if (addr < start) {
      dist = start - addr;
      where = `${dist} bytes before`;
    } else if (addr + size > end) {
      dist = addr + size - end;
      where = addr >= end ? `${addr - end} bytes after the end of` : `straddling the end of`;
    } else {
      dist = 0;
      where = 'inside';
    }
    if (!best || dist < best.dist) best = { w, dist, where };
  }
  const b = best!;
  const start = GLOBAL_HI * 2 ** 32 + b.w.offset;
  return `${b.where} the nearest window: argument ${b.w.arg} = guest [${b.w.offset}, ${b.w.offset + b.w.length}) (${b.w.length} bytes) at device ${hex(start)}..${hex(start + b.w.length)}`;
}

/**
 * Finds the window holding [addr, addr+size), or resolves a generic address into another space
 * (sets E.xr/E.xo, returns -1). Throws launch_failed for anything else.
 * globalOnly: the instruction named .global, so shared/local/const addresses are faults too.
 */
export function gfind(E: CheckEnv, h: number, o: number, size: number, t: number, line: number, globalOnly: number, write: boolean): number {
  const addr = h * 4294967296 + o;
  const kind = write ? 'write' : 'read';
  if (addr % size !== 0) throw launchFault(E, `misaligned address ${hex(addr)} for a ${size}-byte ${kind}`, t, line);
  if (h === GLOBAL_HI && o >= 0) {
    const n = E.wlo.length;
    for (let w = 0; w < n; w++) if (o >= E.wlo[w]! && o + size <= E.wend[w]!) return w;
  } else if (h === MODVAR_HI && o >= 0 && o + size <= E.modvarSize) {
    E.xr = E.mv;
    E.xo = o;
    return -1;
  } else if (!globalOnly && o >= 0) {
    if (h === SHARED_HI && o + size <= E.shSize) {
      E.xr = E.sh;
      E.xo = o;
      return -1;
    }
    if (h === LOCAL_HI && o + size <= E.frameSize) {
      E.xr = E.lm;
      E.xo = t * E.frameSize + o;
      return -1;
    }
    if (h === CONST_HI && o + size <= E.constSize && !write) {
      E.xr = E.cm;
      E.xo = o;
      return -1;
    }
    if (h === PARAM_HI && o + size <= E.paramSize && !write) {
      E.xr = E.pm;
      E.xo = o;
      return -1;
    }
  }
  const space = globalOnly ? '__global__' : 'generic';
  throw launchFault(E, `invalid ${space} ${kind} of ${size} bytes at address ${hex(addr)} (${nearestWindow(E, addr, size)})`, t, line);
}

export function spaceFault(E: CheckEnv, space: string, o: number, size: number, t: number, line: number, write: boolean): never {
  const limit = space === 'shared' ? E.shSize : space === 'local' ? E.frameSize : space === 'const' ? E.constSize : E.paramSize;
  const kind = write ? 'write' : 'read';
  if (o >= 0 && o + size <= limit) throw launchFault(E, `misaligned ${space} ${kind} of ${size} bytes at offset ${o}`, t, line);
  throw launchFault(E, `invalid __${space}__ ${kind} of ${size} bytes at offset ${o} (the ${space} space of this launch is ${limit} bytes)`, t, line);
}

export function trap(E: CheckEnv, t: number, line: number): never {
  throw launchFault(E, 'trap instruction executed (device-side assert or __trap())', t, line);
}
