import type { Command } from 'commander';
import type { ExportDescription } from '../../contract/module.js';
import { clientFrom, withConnection, type ConnectionFlags } from '../../server/client/connection.js';
import { printJson } from '../output.js';

interface FunctionsFlags extends ConnectionFlags {
  json?: boolean;
}

/** `tensor-wasm functions`: lists what a server has deployed. */
export function register(program: Command): void {
  withConnection(
    program
      .command('functions')
      .description('list the functions deployed on a tensor-wasm server: id, name, callable exports')
      .option('--json', 'print the list as JSON'),
  ).action(async (flags: FunctionsFlags) => {
    const functions = await clientFrom(flags).list();
    if (flags.json) return printJson(functions);
    for (const f of functions) process.stdout.write(`${f.id}  ${f.name}  ${f.exports.filter(isFunc).map(signature).join(' ')}\n`);
  });
}

function isFunc(e: ExportDescription): boolean {
  return e.kind === 'func';
}

/** `add(i32,i32)->i32` */
function signature(e: ExportDescription): string {
  const s = e.signature;
  if (!s) return e.name;
  const results = s.results.length === 0 ? '' : `->${s.results.length === 1 ? s.results[0] : `(${s.results.join(',')})`}`;
  return `${e.name}(${s.params.join(',')})${results}`;
}
