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
}

const pad16 = (n: number): number => Math.max(16, Math.ceil(n / 16) * 16);

export function createEnv(init: EnvInit): LaunchEnv {
  const n = init.block[0] * init.block[1] * init.block[2];
  const perThread = init.sync ? n : 0;
  const wlo = new Float64Array(init.windows.length);
  const wend = new Float64Array(init.windows.length);
  init.windows.forEach((w, i) => {
    wlo[i] = w.offset;
    wend[i] = w.offset + w.length;
  });
  const sh = regionOf(new Uint8Array(pad16(init.sharedBytes)));
  return {
    kernelName: init.kernelName,
    windows: init.windows,
    wlo,
    wend,
    g: init.guest,
    sh,
    lm: init.frameSize > 0 ? regionOf(new Uint8Array(pad16(init.frameSize * n))) : EMPTY,
    cm: regionOf(copyAligned(init.constMem)),
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
