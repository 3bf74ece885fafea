import type { Command } from 'commander';
import { readModuleSource } from '../../runtime/module/load.js';
import { clientFrom, withConnection, type ConnectionFlags } from '../../server/client/connection.js';
import { printJson } from '../output.js';

interface DeployFlags extends ConnectionFlags {
  name?: string;
  json?: boolean;
}

/** `tensor-wasm deploy <module.wasm>`: uploads a module to a server and prints its id. */
export function register(program: Command): void {
  withConnection(
    program
      .command('deploy')
      .description('deploy a module to a tensor-wasm server and print its id (the same bytes always get the same id)')
      .argument('<module>', 'path to the .wasm module')
      .option('--name <name>', 'a name for the function (default: module-<hash prefix>)')
      .option('--json', 'print the whole reply: {"id", "name", "hash", "exports", ...}'),
  ).action(async (modulePath: string, flags: DeployFlags) => {
    const bytes = await readModuleSource(modulePath);
    const deployed = await clientFrom(flags).deploy(bytes, flags.name);
    if (flags.json) printJson(deployed);
    else process.stdout.write(`${deployed.id}\n`);
  });
}
