import { CUDA_ERROR } from '../../../contract/cuda-codes.js';
import { DeviceError, type KernelArg, type KernelParamInfo } from '../../../contract/device.js';

export interface PackedParams {
  /** The kernel's parameter buffer, laid out as its `.param` list declares (natural alignment). */
  buffer: Uint8Array;
  /** Byte offsets of the 64-bit device pointers in `buffer` (the addon checks each one). */
  pointerSlots: Uint32Array;
}

function alignOf(param: KernelParamInfo): number {
  if (param.align) return param.align;
  return param.sizeBytes === 1 || param.sizeBytes === 2 || param.sizeBytes === 4 || param.sizeBytes === 8 ? param.sizeBytes : 1;
}

/** Offset of every parameter and the total size, as the CUDA ABI lays out the parameter space. */
export function paramLayout(params: readonly KernelParamInfo[]): { offsets: number[]; size: number } {
  const offsets: number[] = [];
  let offset = 0;
  for (const param of params) {
    const align = alignOf(param);
    offset = Math.ceil(offset / align) * align;
    offsets.push(offset);
    offset += param.sizeBytes;
  }
  return { offsets, size: offset };
}

function describeArg(arg: KernelArg): string {
  return arg.kind === 'pointer' ? 'a pointer (8 bytes on the device)' : `${arg.tag} (${arg.bytes.length} bytes)`;
}

/**
 * Packs the argv records into the kernel's parameter buffer. Scalars are copied as their
 * little-endian bytes; pointers become the 64-bit device address `pointerAddress(i)` gives.
 */
export function packParams(
  entry: string,
  params: readonly KernelParamInfo[],
  args: readonly KernelArg[],
  pointerAddress: (argIndex: number) => number,
): PackedParams {
  if (args.length !== params.length) {
    throw new DeviceError(
      CUDA_ERROR.invalid_args,
      `kernel ${entry} takes ${params.length} parameter${params.length === 1 ? '' : 's'} but the launch passed ${args.length}`,
    );
  }
  const { offsets, size } = paramLayout(params);
  const buffer = new Uint8Array(size);
  const view = new DataView(buffer.buffer);
  const slots: number[] = [];
  args.forEach((arg, i) => {
    const param = params[i]!;
    const offset = offsets[i]!;
    const argSize = arg.kind === 'pointer' ? 8 : arg.bytes.length;
    if (argSize !== param.sizeBytes) {
      throw new DeviceError(
        CUDA_ERROR.invalid_args,
        `argument ${i} of ${entry} is ${describeArg(arg)} but parameter ${param.name} is .${param.type} (${param.sizeBytes} bytes)`,
      );
    }
    if (arg.kind === 'scalar') {
      buffer.set(arg.bytes, offset);
      return;
    }
    if (offset % 8 !== 0) {
      throw new DeviceError(CUDA_ERROR.kernel_args_unsupported, `parameter ${param.name} of ${entry} is not 8-byte aligned, so it cannot hold a device pointer`);
    }
    const address = pointerAddress(i);
    view.setUint32(offset, address % 0x1_0000_0000, true);
    view.setUint32(offset + 4, Math.floor(address / 0x1_0000_0000), true);
    slots.push(offset);
  });
  return { buffer, pointerSlots: Uint32Array.from(slots) };
}
