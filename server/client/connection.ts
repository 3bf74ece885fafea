import type { Command } from 'commander';
import { TensorWasmError } from '../../contract/errors.js';
import { ApiClient } from './api-client.js';
import { isFunctionId } from '../registry/ids.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export interface ConnectionFlags {
  server?: string;
  token?: string;
}

/** Adds --server and --token to a client command (deploy, functions, invoke). */
export function withConnection(command: Command): Command {
  return command
    .option('--server <url>', `the server (default: $TENSOR_WASM_SERVER or ${DEFAULT_SERVER})`)
    .option('--token <token>', 'bearer token for a server that requires one (default: $TENSOR_WASM_TOKEN)');
}

/** The client for the flags: flag > environment > default. */
export function clientFrom(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): ApiClient {
  const server = flags.server ?? (env.TENSOR_WASM_SERVER?.trim() || DEFAULT_SERVER);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new TensorWasmError('invalid_args', `--server ${JSON.stringify(server)} is not a URL; e.g. http://127.0.0.1:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TensorWasmError('invalid_args', `--server must be an http:// or https:// URL, got ${server}`);
  }
  const token = flags.token ?? (env.TENSOR_WASM_TOKEN?.trim() || undefined);
  return new ApiClient(url.href, token ? { token } : {});
}

/** A function id, or a deployed function's unique name resolved to its id. */
export async function resolveFunction(client: ApiClient, idOrName: string): Promise<string> {
  if (isFunctionId(idOrName)) return idOrName;
  const matches = (await client.list()).filter((f) => f.name === idOrName);
  if (matches.length === 1) return matches[0]!.id;
  if (matches.length > 1) {
    throw new TensorWasmError('invalid_args', `${matches.length} functions are named '${idOrName}'; use an id: ${matches.map((f) => f.id.slice(0, 12)).join(', ')}…`);
  }
  throw new TensorWasmError('not_found', `no function with id or name '${idOrName}' on ${client.baseUrl}`);
}
