/**
 * The instance's kernel table: kernel ids handed to the guest, keyed by (sha256 of the PTX, entry)
 * so a guest that loads its embedded PTX on every call (the guide's example does) gets the same id
 * back at once, without a device load and without counting against the kernel limit.
 */
import type { KernelHandle } from '../../contract/device.js';

export class KernelTable {
  private readonly kernels: KernelHandle[] = [];
  private readonly ids = new Map<string, number>();

  /** Distinct kernels loaded so far (what the per-instance limit counts). */
  get size(): number {
    return this.kernels.length;
  }

  lookup(ptxHash: string, entry: string): number | undefined {
    return this.ids.get(key(ptxHash, entry));
  }

  /** Adds a kernel the device loaded and returns its id (its index: 0, 1, 2, ...). */
  add(kernel: KernelHandle): number {
    const id = this.kernels.length;
    this.kernels.push(kernel);
    this.ids.set(key(kernel.ptxHash, kernel.entry), id);
    return id;
  }

  /** The kernel behind an id the guest passed (an i64, so a bigint), or undefined. */
  get(id: bigint): KernelHandle | undefined {
    if (id < 0n || id >= BigInt(this.kernels.length)) return undefined;
    return this.kernels[Number(id)];
  }

  clear(): void {
    this.kernels.length = 0;
    this.ids.clear();
  }
}

function key(ptxHash: string, entry: string): string {
  return `${ptxHash}\u0000${entry}`;
}
