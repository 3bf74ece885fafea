/**
 * The WASI preview 1 functions the engine links (node:wasi's, under `wasi_snapshot_preview1` and
 * `wasi_unstable`), listed here so a module's imports can be checked without loading node:wasi
 * (which warns on load) on the engine's thread. preview1-functions.test.ts keeps it equal to node's.
 */
export const WASI_NAMESPACES: readonly string[] = ['wasi_snapshot_preview1', 'wasi_unstable'];

export const WASI_PREVIEW1_FUNCTIONS: ReadonlySet<string> = new Set([
  'args_get', 'args_sizes_get', 'clock_res_get', 'clock_time_get', 'environ_get', 'environ_sizes_get',
  'fd_advise', 'fd_allocate', 'fd_close', 'fd_datasync', 'fd_fdstat_get', 'fd_fdstat_set_flags',
  'fd_fdstat_set_rights', 'fd_filestat_get', 'fd_filestat_set_size', 'fd_filestat_set_times', 'fd_pread',
  'fd_prestat_dir_name', 'fd_prestat_get', 'fd_pwrite', 'fd_read', 'fd_readdir', 'fd_renumber', 'fd_seek',
  'fd_sync', 'fd_tell', 'fd_write', 'path_create_directory', 'path_filestat_get', 'path_filestat_set_times',
  'path_link', 'path_open', 'path_readlink', 'path_remove_directory', 'path_rename', 'path_symlink',
  'path_unlink_file', 'poll_oneoff', 'proc_exit', 'proc_raise', 'random_get', 'sched_yield', 'sock_accept',
  'sock_recv', 'sock_send', 'sock_shutdown',
]);

/** Whether the engine links this function import for WASI (anything else in a WASI namespace fails to link). */
export function isWasiFunction(module: string, name: string): boolean {
  return WASI_NAMESPACES.includes(module) && WASI_PREVIEW1_FUNCTIONS.has(name);
}
