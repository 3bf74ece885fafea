/**
 * WASI preview 1 for one guest instance: node:wasi (uvwasi) for the system interface, with three
 * things done here instead: stdout/stderr are captured per invocation (fd_write on fds 1 and 2
 * never reaches the host's streams), proc_exit ends the call with the exit code in any call (not
 * only under wasi.start), and path calls are confined to the preopens, symlinks included.
 */
import { openSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { TensorWasmError } from '../../contract/errors.js';
import { canonicalPath, confinedPath } from './confine.js';

import { GuestExit } from './guest-exit.js';

export { GuestExit };

export interface GuestWasiOptions {
  /** argv[0]. */
  programName: string;
  args?: readonly string[];
  /** Empty unless given. */
  env?: Readonly<Record<string, string>>;
  /** Guest path → host directory. None unless given. */
  preopens?: Readonly<Record<string, string>>;
  /** The import module the guest names (`wasi_snapshot_preview1`, or the older `wasi_unstable`). */
  version: 'preview1' | 'unstable';
  onStdout: (text: string) => void;
  onStderr: (text: string) => void;
}

export interface GuestWasi {
  imports: Record<string, (...args: never[]) => unknown>;
  /** Points WASI at the instance's memory (exported or imported). */
  bind(memory: WebAssembly.Memory): void;
  /** Emits any partial UTF-8 sequence still buffered. */
  flush(): void;
}

const ERRNO_SUCCESS = 0;
const ERRNO_FAULT = 21;
const ERRNO_NOTCAPABLE = 76;
const LOOKUP_SYMLINK_FOLLOW = 1;
/** Per stream and invocation: bounds what a chatty guest can make the host hold. */
export const MAX_CAPTURED_OUTPUT_BYTES = 16 * 1024 * 1024;

let devNull: number | undefined;
function devNullFd(): number {
  devNull ??= openSync('/dev/null', 'r+');
  return devNull;
}

class OutputStream {
  private readonly decoder = new TextDecoder('utf-8');
  private bytes = 0;
  private truncated = false;
  constructor(private readonly sink: (text: string) => void) {}
  write(chunk: Uint8Array): void {
    if (this.truncated) return;
    this.bytes += chunk.length;
    if (this.bytes > MAX_CAPTURED_OUTPUT_BYTES) {
      this.truncated = true;
      this.sink(this.decoder.decode(chunk.subarray(0, chunk.length - (this.bytes - MAX_CAPTURED_OUTPUT_BYTES))) + `\n[output truncated at ${MAX_CAPTURED_OUTPUT_BYTES} bytes]\n`);
      return;
    }
    const text = this.decoder.decode(chunk, { stream: true });
    if (text) this.sink(text);
  }
  flush(): void {
    const text = this.decoder.decode();
    if (text) this.sink(text);
  }
}

export function createGuestWasi(options: GuestWasiOptions): GuestWasi {
  const preopens = { ...(options.preopens ?? {}) };
  let wasi: WASI;
  try {
    wasi = new WASI({
      version: options.version,
      args: [options.programName, ...(options.args ?? [])],
      env: { ...(options.env ?? {}) },
      preopens,
      returnOnExit: true,
      // The guest never touches the host's own streams: reads see EOF, fd 1/2 writes are captured below.
      stdin: devNullFd(),
      stdout: devNullFd(),
      stderr: devNullFd(),
    });
  } catch (error) {
    throw new TensorWasmError('invalid_args', `cannot set up WASI: ${(error as Error).message}`, { preopens });
  }
  const raw = wasi.getImportObject() as Record<string, Record<string, (...args: never[]) => unknown>>;
  const base = (raw[options.version === 'preview1' ? 'wasi_snapshot_preview1' : 'wasi_unstable'] ?? Object.values(raw)[0])!;
  const call = base as Record<string, (...args: unknown[]) => number>;
  let memory: WebAssembly.Memory | undefined;
  const view = () => new DataView(memory!.buffer);
  const streams = { 1: new OutputStream(options.onStdout), 2: new OutputStream(options.onStderr) } as Record<number, OutputStream>;

  // Directory fds we know the host path of: preopens get 3, 4, ... in the order given.
  const dirs = new Map<number, string>();
  const roots = new Map<number, string>();
  Object.values(preopens).forEach((host, i) => {
    const real = canonicalPath(host);
    dirs.set(3 + i, real);
    roots.set(3 + i, real);
  });
  const rootOf = new Map<number, string>(roots);
  const readPath = (ptr: number, len: number) => new TextDecoder().decode(new Uint8Array(memory!.buffer, ptr, len));
  /** The host path a (dirfd, path) names, or undefined when it leaves its preopen. */
  const check = (fd: number, ptr: number, len: number, follow: boolean): string | undefined | null => {
    const dir = dirs.get(fd);
    const root = rootOf.get(fd);
    if (dir === undefined || root === undefined) return null; // not a directory we opened: uvwasi answers (EBADF/ENOTDIR)
    return confinedPath(root, dir, readPath(ptr, len), follow);
  };
  const guarded = (fdArg: number, ptrArg: number, lenArg: number, flagsArg?: number, followDefault = true) =>
    (...args: unknown[]) => {
      const fd = args[fdArg] as number;
      const follow = flagsArg === undefined ? followDefault : ((args[flagsArg] as number) & LOOKUP_SYMLINK_FOLLOW) !== 0;
      if (check(fd, args[ptrArg] as number, args[lenArg] as number, follow) === undefined) return ERRNO_NOTCAPABLE;
      return null;
    };

  const imports: Record<string, (...args: never[]) => unknown> = { ...base };
  const wrap = (name: string, ...guards: ((...args: unknown[]) => number | null)[]) => {
    const original = call[name];
    if (!original) return;
    imports[name] = (...args: unknown[]) => {
      for (const g of guards) {
        const refused = g(...args);
        if (refused !== null) return refused;
      }
      return original(...args);
    };
  };

  imports.fd_write = ((fd: number, iovs: number, iovsLen: number, nwritten: number) => {
    const stream = streams[fd];
    if (!stream) return call.fd_write!(fd, iovs, iovsLen, nwritten);
    try {
      const dv = view();
      let total = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = dv.getUint32(iovs + i * 8, true);
        const len = dv.getUint32(iovs + i * 8 + 4, true);
        stream.write(new Uint8Array(memory!.buffer, ptr, len));
        total += len;
      }
      dv.setUint32(nwritten, total, true);
      return ERRNO_SUCCESS;
    } catch {
      return ERRNO_FAULT;
    }
  }) as never;
  imports.proc_exit = ((code: number) => {
    throw new GuestExit(code);
  }) as never;

  wrap('path_open', guarded(0, 2, 3, 1));
  const openOriginal = imports.path_open as unknown as (...args: unknown[]) => number;
  imports.path_open = ((...args: unknown[]) => {
    const rc = openOriginal(...args);
    if (rc === ERRNO_SUCCESS) {
      const fd = args[0] as number;
      const target = check(fd, args[2] as number, args[3] as number, ((args[1] as number) & LOOKUP_SYMLINK_FOLLOW) !== 0);
      const opened = view().getUint32(args[8] as number, true);
      if (target) {
        dirs.set(opened, canonicalPath(target));
        rootOf.set(opened, rootOf.get(fd)!);
      }
    }
    return rc;
  }) as never;
  wrap('path_create_directory', guarded(0, 1, 2, undefined, false));
  wrap('path_filestat_get', guarded(0, 2, 3, 1));
  wrap('path_filestat_set_times', guarded(0, 2, 3, 1));
  wrap('path_link', guarded(0, 2, 3, 1), guarded(4, 5, 6, undefined, false));
  wrap('path_readlink', guarded(0, 1, 2, undefined, false));
  wrap('path_remove_directory', guarded(0, 1, 2, undefined, false));
  wrap('path_rename', guarded(0, 1, 2, undefined, false), guarded(3, 4, 5, undefined, false));
  wrap('path_symlink', guarded(2, 3, 4, undefined, false));
  wrap('path_unlink_file', guarded(0, 1, 2, undefined, false));
  const closeOriginal = call.fd_close;
  if (closeOriginal) {
    imports.fd_close = ((fd: number) => {
      const rc = closeOriginal(fd);
      if (rc === ERRNO_SUCCESS && !roots.has(fd)) {
        dirs.delete(fd);
        rootOf.delete(fd);
      }
      return rc;
    }) as never;
  }
  const renumberOriginal = call.fd_renumber;
  if (renumberOriginal) {
    imports.fd_renumber = ((from: number, to: number) => {
      const rc = renumberOriginal(from, to);
      if (rc === ERRNO_SUCCESS) {
        const dir = dirs.get(from);
        const root = rootOf.get(from);
        dirs.delete(from);
        rootOf.delete(from);
        if (dir !== undefined && root !== undefined) {
          dirs.set(to, dir);
          rootOf.set(to, root);
        } else {
          dirs.delete(to);
          rootOf.delete(to);
        }
      }
      return rc;
    }) as never;
  }

  return {
    imports,
    bind(mem) {
      memory = mem;
      // node:wasi binds memory in start()/initialize(); we call the exports ourselves, so hand it
      // a view holding only the memory (no _start, no _initialize: nothing is called).
      wasi.initialize({ exports: { memory: mem } } as unknown as object);
    },
    flush() {
      streams[1]!.flush();
      streams[2]!.flush();
    },
  };
}
