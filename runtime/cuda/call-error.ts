import { CUDA_ERROR, type CudaErrorCode, type CudaErrorName } from '../../contract/cuda-codes.js';

/**
 * A failure the guest sees as a negative return code plus a last-error message (wasmtime's
 * discipline: an error code for the guest, kept apart from traps and from limit breaches, which
 * end the instance). The message is written for the kernel author: what was wrong and what to do.
 */
export class CudaCallError extends Error {
  readonly code: CudaErrorCode;
  readonly codeName: CudaErrorName;

  constructor(codeName: CudaErrorName, message: string) {
    super(message);
    this.name = 'CudaCallError';
    this.codeName = codeName;
    this.code = CUDA_ERROR[codeName];
  }
}
