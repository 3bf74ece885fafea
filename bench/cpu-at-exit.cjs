// Preloaded (--require) into every process the start-up bench times: writes the process's own CPU
// time (user + system, microseconds, bootstrap included) as the last line of its stderr. CPU time
// is much less coloured than wall time by other work on a busy machine.
'use strict';
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  require('node:fs').writeSync(2, `\nCPU_US=${user + system}\n`);
});
