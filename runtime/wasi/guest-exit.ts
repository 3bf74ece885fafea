/**
 * Thrown through the guest's stack by proc_exit; the instance is over. Its own file so error
 * mapping (guest-error.ts) can recognise it without loading node:wasi on the engine's thread.
 */
export class GuestExit extends Error {
  constructor(readonly exitCode: number) {
    super(`the guest exited with code ${exitCode}`);
    this.name = 'GuestExit';
  }
}
