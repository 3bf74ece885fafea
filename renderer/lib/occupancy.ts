/**
 * Theoretical occupancy the way NVIDIA's CUDA Occupancy Calculator computes it: resident blocks
 * per SM are the minimum of the limits from warps, registers (allocated per warp in units of 256,
 * warps in groups of 4), shared memory (allocated in units, plus the 1 KiB the runtime reserves
 * per block from sm_80 on) and the block-count cap. Per-architecture limits are from the CUDA
 * C++ Programming Guide's "Technical Specifications per Compute Capability". Pure.
 */
export interface SmLimits {
  arch: string;
  maxThreadsPerSm: number;
  maxWarpsPerSm: number;
  maxBlocksPerSm: number;
  registersPerSm: number;
  maxRegistersPerThread: number;
  sharedPerSmBytes: number;
  maxSharedPerBlockBytes: number;
  reservedSharedPerBlockBytes: number;
  sharedAllocUnitBytes: number;
  maxThreadsPerBlock: number;
}

const common = { registersPerSm: 65536, maxRegistersPerThread: 255, maxThreadsPerBlock: 1024 };

export const SM_LIMITS: readonly SmLimits[] = [
  { arch: 'sm_70', maxThreadsPerSm: 2048, maxWarpsPerSm: 64, maxBlocksPerSm: 32, sharedPerSmBytes: 96 * 1024, maxSharedPerBlockBytes: 96 * 1024, reservedSharedPerBlockBytes: 0, sharedAllocUnitBytes: 256, ...common },
  { arch: 'sm_75', maxThreadsPerSm: 1024, maxWarpsPerSm: 32, maxBlocksPerSm: 16, sharedPerSmBytes: 64 * 1024, maxSharedPerBlockBytes: 64 * 1024, reservedSharedPerBlockBytes: 0, sharedAllocUnitBytes: 256, ...common },
  { arch: 'sm_80', maxThreadsPerSm: 2048, maxWarpsPerSm: 64, maxBlocksPerSm: 32, sharedPerSmBytes: 164 * 1024, maxSharedPerBlockBytes: 163 * 1024, reservedSharedPerBlockBytes: 1024, sharedAllocUnitBytes: 128, ...common },
  { arch: 'sm_86', maxThreadsPerSm: 1536, maxWarpsPerSm: 48, maxBlocksPerSm: 16, sharedPerSmBytes: 100 * 1024, maxSharedPerBlockBytes: 99 * 1024, reservedSharedPerBlockBytes: 1024, sharedAllocUnitBytes: 128, ...common },
  { arch: 'sm_89', maxThreadsPerSm: 1536, maxWarpsPerSm: 48, maxBlocksPerSm: 24, sharedPerSmBytes: 100 * 1024, maxSharedPerBlockBytes: 99 * 1024, reservedSharedPerBlockBytes: 1024, sharedAllocUnitBytes: 128, ...common },
  { arch: 'sm_90', maxThreadsPerSm: 2048, maxWarpsPerSm: 64, maxBlocksPerSm: 32, sharedPerSmBytes: 228 * 1024, maxSharedPerBlockBytes: 227 * 1024, reservedSharedPerBlockBytes: 1024, sharedAllocUnitBytes: 128, ...common },
];

export type OccupancyLimiter = 'warps' | 'registers' | 'shared memory' | 'blocks per SM';

export interface Occupancy {
  activeBlocksPerSm: number;
  activeWarpsPerSm: number;
  /** 0–1. */
  occupancy: number;
  limitedBy: OccupancyLimiter;
  limits: Record<OccupancyLimiter, number>;
  /** Set when the launch cannot run on this architecture at all. */
  problem?: string;
}

const ceilTo = (v: number, unit: number) => Math.ceil(v / unit) * unit;
const floorTo = (v: number, unit: number) => Math.floor(v / unit) * unit;

export function occupancy(limits: SmLimits, threadsPerBlock: number, registersPerThread: number, sharedPerBlockBytes: number): Occupancy {
  const warpsPerBlock = Math.ceil(threadsPerBlock / 32);
  const byWarps = Math.floor(limits.maxWarpsPerSm / Math.max(1, warpsPerBlock));
  let byRegisters = limits.maxBlocksPerSm;
  if (registersPerThread > 0) {
    const regsPerWarp = ceilTo(registersPerThread * 32, 256);
    const warpsByRegs = floorTo(Math.floor(limits.registersPerSm / regsPerWarp), 4);
    byRegisters = Math.floor(warpsByRegs / Math.max(1, warpsPerBlock));
  }
  let byShared = limits.maxBlocksPerSm;
  if (sharedPerBlockBytes > 0 || limits.reservedSharedPerBlockBytes > 0) {
    const perBlock = ceilTo(sharedPerBlockBytes + limits.reservedSharedPerBlockBytes, limits.sharedAllocUnitBytes);
    byShared = Math.floor(limits.sharedPerSmBytes / perBlock);
  }
  const all: Record<OccupancyLimiter, number> = { warps: byWarps, registers: byRegisters, 'shared memory': byShared, 'blocks per SM': limits.maxBlocksPerSm };
  let problem: string | undefined;
  if (threadsPerBlock < 1 || threadsPerBlock > limits.maxThreadsPerBlock) problem = `${threadsPerBlock} threads per block; ${limits.arch} allows 1 to ${limits.maxThreadsPerBlock}`;
  else if (registersPerThread > limits.maxRegistersPerThread) problem = `${registersPerThread} registers per thread; ${limits.arch} allows at most ${limits.maxRegistersPerThread}`;
  else if (sharedPerBlockBytes > limits.maxSharedPerBlockBytes) problem = `${sharedPerBlockBytes} bytes of shared memory per block; ${limits.arch} allows at most ${limits.maxSharedPerBlockBytes}`;
  let limitedBy: OccupancyLimiter = 'blocks per SM';
  for (const k of ['warps', 'registers', 'shared memory'] as const) if (all[k] < all[limitedBy]) limitedBy = k;
  const blocks = problem ? 0 : Math.max(0, all[limitedBy]);
  const warps = blocks * warpsPerBlock;
  return { activeBlocksPerSm: blocks, activeWarpsPerSm: warps, occupancy: warps / limits.maxWarpsPerSm, limitedBy, limits: all, ...(problem ? { problem } : {}) };
}

/** Registers per thread a PTX entry declares (`.reg .b32 %r<12>;` …), as an upper bound before ptxas. */
export function ptxRegisterEstimate(ptx: string, entry: string): number | undefined {
  const start = ptx.indexOf(`.entry ${entry}`);
  if (start < 0) return undefined;
  const body = ptx.slice(start, ptx.indexOf('\n}', start) + 2 || undefined);
  let regs = 0;
  for (const m of body.matchAll(/\.reg\s+\.(\w+)\s+%\w+<(\d+)>/g)) {
    const type = m[1]!;
    if (type === 'pred') continue;
    regs += Number(m[2]) * (/64$/.test(type) ? 2 : 1);
  }
  return regs;
}
