/** The per-launch environment (`E`) the compiled kernels and the scheduler read and write. */
import { regionOf, type Region } from './address-space.js';
import type { CheckEnv, Window } from './memcheck.js';

export interface LaunchEnv extends CheckEnv {
  g: Region;
  gx: number;
  gy: number;
  gz: number;
  ntz: number;
  nwarps: number;
  dynShared: number;
  /** Per access site of the kernel, the window bounds it last hit (lo, hi pairs; empty = [1, 0]). */
  wk: number[];
  // sync-kernel state, one slot per thread of the block
  si: Int32Array;
  sf: Float64Array;
  ni: number;
  nf: number;
  wa: Int32Array;
  wb: Int32Array;
  wc: Int32Array;
  wm: Int32Array;
  res: Int32Array;
  resp: Uint8Array;
  status: Uint8Array;
  resume: Int32Array;
  siteOf: Int32Array;
  /** Barrier arrivals in the last run: count, their resume case, whether they differ; exits. */
  bwn: number;
  br: number;
  bmix: boolean;
  exn: number;
}

const EMPTY = regionOf(new Uint8Array(16));

export interface EnvInit {
  kernelName: string;
  guest: Region;
  windows: Window[];
  grid: readonly [number, number, number];
  block: readonly [number, number, number];
  sharedBytes: number;
  dynShared: number;
  frameSize: number;
  constMem: Uint8Array;
  params: Uint8Array;
  modvars: Uint8Array;
  saveInts: number;
  saveFloats: number;
  sync: boolean;
  cacheSites: number;
}

const pad16 = (n: number): number => Math.max(16, Math.ceil(n / 16) * 16);

export function createEnv(init: EnvInit): LaunchEnv {
  const n = init.block[0] * init.block[1] * init.block[2];
  const perThread = init.sync ? n : 0;
  // plain arrays, not Float64Array: bounds below 2^31 stay Smis and the generated window checks
  // compare int32s (see memcheck.ts)
  const wlo = init.windows.map((w) => w.offset);
  const wend = init.windows.map((w) => w.offset + w.length);
  const sh = regionOf(new Uint8Array(pad16(init.sharedBytes)));
  return {
    kernelName: init.kernelName,
    windows: init.windows,
    wlo,
    wend,
    // an empty range (1 > 0) until a site's first access finds its window
    wk: Array.from({ length: 2 * init.cacheSites }, (_, i) => (i % 2 === 0 ? 1 : 0)),
    g: init.guest,
    sh,
    lm: init.frameSize > 0 ? regionOf(new Uint8Array(pad16(init.frameSize * n))) : EMPTY,
    // .const is read-only (memcheck refuses writes), so the kernel's own bytes serve every launch
    cm: regionOf(init.constMem.length % 16 === 0 && init.constMem.length > 0 && init.constMem.byteOffset % 8 === 0 ? init.constMem : copyAligned(init.constMem)),
    pm: regionOf(copyAligned(init.params)),
    mv: regionOf(init.modvars),
    xr: EMPTY,
    xo: 0,
    cx: 0,
    cy: 0,
    cz: 0,
    gx: init.grid[0],
    gy: init.grid[1],
    gz: init.grid[2],
    ntx: init.block[0],
    nty: init.block[1],
    ntz: init.block[2],
    nwarps: Math.ceil(n / 32),
    shSize: init.sharedBytes,
    dynShared: init.dynShared,
    frameSize: init.frameSize,
    constSize: init.constMem.length,
    paramSize: init.params.length,
    modvarSize: init.modvars.length,
    si: new Int32Array(perThread * init.saveInts),
    sf: new Float64Array(perThread * init.saveFloats),
    ni: init.saveInts,
    nf: init.saveFloats,
    wa: new Int32Array(perThread),
    wb: new Int32Array(perThread),
    wc: new Int32Array(perThread),
    wm: new Int32Array(perThread),
    res: new Int32Array(perThread),
    resp: new Uint8Array(perThread),
    status: new Uint8Array(perThread),
    resume: new Int32Array(perThread),
    siteOf: new Int32Array(perThread),
    bwn: 0,
    br: 0,
    bmix: false,
    exn: 0,
  };
}

function copyAligned(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(pad16(bytes.length));
  out.set(bytes);
  return out;
}
