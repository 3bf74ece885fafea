/**
 * Output into a closed pipe (`tensor-wasm inspect m.wasm | head -c 10`): the reader has all it
 * wants, so the command ends quietly, as Unix tools do, instead of an unhandled `EPIPE` stack trace.
 * Any other failure to write is one line on stderr (when stderr still works) and exit 1.
 */
export function guardOutputPipes(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(Number(process.exitCode ?? 0));
      try {
        if (stream !== process.stderr) process.stderr.write(`internal: cannot write the output: ${error.code ?? error.message}\n`);
      } finally {
        process.exit(1);
      }
    });
  }
}
