/**
 * CUDA's launch-shape limits, checked by the host before any device sees a launch, so both
 * devices refuse the same shapes with the same words (CUDA Programming Guide, "Features and
 * Technical Specifications": these hold for every compute capability from 5.0 to 9.0).
 */
import type { Dim3, DeviceInfo } from '../../contract/device.js';
import { CudaCallError } from './call-error.js';

export const LAUNCH_LIMITS = {
  maxThreadsPerBlock: 1024,
  maxBlockDimX: 1024,
  maxBlockDimY: 1024,
  maxBlockDimZ: 64,
  maxGridDimX: 2 ** 31 - 1,
  maxGridDimY: 65535,
  maxGridDimZ: 65535,
} as const;

const AXES = ['x', 'y', 'z'] as const;

/**
 * Throws CudaCallError('invalid_dimensions') for a shape CUDA would refuse. Values arrive as the
 * guest's signed i32s, so a negative one is reported as given.
 */
export function checkLaunchShape(grid: Dim3, block: Dim3, sharedMemBytes: number, device: Pick<DeviceInfo, 'maxThreadsPerBlock' | 'maxSharedMemoryPerBlock' | 'id'>): void {
  const fail = (message: string): never => {
    throw new CudaCallError('invalid_dimensions', message);
  };
  AXES.forEach((axis, i) => {
    if (!(grid[i]! >= 1)) fail(`gridDim.${axis} is ${grid[i]}; every grid dimension must be at least 1`);
    if (!(block[i]! >= 1)) fail(`blockDim.${axis} is ${block[i]}; every block dimension must be at least 1`);
  });
  const blockMax = [LAUNCH_LIMITS.maxBlockDimX, LAUNCH_LIMITS.maxBlockDimY, LAUNCH_LIMITS.maxBlockDimZ];
  AXES.forEach((axis, i) => {
    if (block[i]! > blockMax[i]!) fail(`blockDim.${axis} is ${block[i]}; CUDA allows at most ${blockMax[i]}`);
  });
  const gridMax = [LAUNCH_LIMITS.maxGridDimX, LAUNCH_LIMITS.maxGridDimY, LAUNCH_LIMITS.maxGridDimZ];
  AXES.forEach((axis, i) => {
    if (grid[i]! > gridMax[i]!) fail(`gridDim.${axis} is ${grid[i]}; CUDA allows at most ${gridMax[i]} — use a grid-stride loop for larger problems`);
  });
  const threads = block[0] * block[1] * block[2];
  const maxThreads = Math.min(LAUNCH_LIMITS.maxThreadsPerBlock, device.maxThreadsPerBlock);
  if (threads > maxThreads) {
    fail(`the block has ${block[0]}×${block[1]}×${block[2]} = ${threads} threads; device ${device.id} allows at most ${maxThreads} threads per block`);
  }
  if (sharedMemBytes < 0) fail(`shared_mem is ${sharedMemBytes}; the dynamic shared memory size must be 0 or more bytes`);
  if (sharedMemBytes > device.maxSharedMemoryPerBlock) {
    fail(`shared_mem asks for ${sharedMemBytes} bytes of dynamic shared memory; device ${device.id} allows at most ${device.maxSharedMemoryPerBlock} per block`);
  }
}
