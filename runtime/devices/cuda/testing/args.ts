/** Test support: argv records and f32 arrays in guest memory, as the wasi:cuda host decodes them. */
import type { KernelArg } from '../../../../contract/device.js';

function scalar(tag: Extract<KernelArg, { kind: 'scalar' }>['tag'], size: 4 | 8, write: (v: DataView) => void): KernelArg {
  const bytes = new Uint8Array(size);
  write(new DataView(bytes.buffer));
  return { kind: 'scalar', tag, bytes };
}

export const i32 = (v: number): KernelArg => scalar('i32', 4, (d) => d.setInt32(0, v, true));
export const u32 = (v: number): KernelArg => scalar('u32', 4, (d) => d.setUint32(0, v, true));
export const f32 = (v: number): KernelArg => scalar('f32', 4, (d) => d.setFloat32(0, v, true));
export const i64 = (v: bigint): KernelArg => scalar('i64', 8, (d) => d.setBigInt64(0, v, true));
export const u64 = (v: bigint): KernelArg => scalar('u64', 8, (d) => d.setBigUint64(0, v, true));
export const f64 = (v: number): KernelArg => scalar('f64', 8, (d) => d.setFloat64(0, v, true));
export const ptr = (offset: number, length: number): KernelArg => ({ kind: 'pointer', offset, length });

export function writeF32(memory: Uint8Array, offset: number, values: number[]): void {
  const view = new DataView(memory.buffer, memory.byteOffset);
  values.forEach((v, i) => view.setFloat32(offset + i * 4, v, true));
}

export function readF32(memory: Uint8Array, offset: number, count: number): number[] {
  const view = new DataView(memory.buffer, memory.byteOffset);
  return Array.from({ length: count }, (_, i) => view.getFloat32(offset + i * 4, true));
}
