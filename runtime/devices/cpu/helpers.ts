/** The helper object (`M`) every compiled kernel closes over. */
import * as int64 from './int64.js';
import * as math from './math.js';
import { gfind, spaceFault, trap } from './memcheck.js';

let clockBase = 0;
/** %clock/%clock64: a monotonically increasing counter in nanoseconds, like a cycle counter. */
function clockNs(): number {
  const now = Math.floor(performance.now() * 1e6);
  clockBase = Math.max(clockBase + 1, now);
  return clockBase;
}

export const HELPERS = Object.freeze({
  ...math,
  ...int64,
  gfind,
  spaceFault,
  trap,
  clockLo: (): number => clockNs() | 0,
  clockHi: (): number => Math.floor(clockNs() / 4294967296) | 0,
});
