import type { Command } from 'commander';
import type { DeviceInfo } from '../../contract/device.js';
import { printJson } from '../output.js';

export function register(program: Command): void {
  program
    .command('devices')
    .description('list the devices wasi:cuda launches can run on (unavailable ones with the reason)')
    .option('--json', 'print the devices as JSON')
    .action(async (options: { json?: boolean }) => {
      // Imported here so other commands never load the device layer.
      const { listDevices } = await import('../../runtime/devices/select.js');
      const devices = listDevices();
      if (options.json) printJson(devices);
      else process.stdout.write(formatDevices(devices));
    });
}

export function formatDevices(devices: readonly DeviceInfo[]): string {
  const lines: string[] = [];
  for (const d of devices) {
    const facts = [
      d.computeCapability ? `sm_${d.computeCapability.replace('.', '')}` : undefined,
      d.totalMemoryBytes ? `${(d.totalMemoryBytes / 1024 ** 3).toFixed(1)} GiB` : undefined,
      d.driverVersion ? `driver ${d.driverVersion}` : undefined,
      `${d.maxThreadsPerBlock} threads/block`,
      `${d.maxSharedMemoryPerBlock / 1024} KiB shared/block`,
    ].filter(Boolean);
    lines.push(`${d.id.padEnd(8)} ${d.available ? 'available  ' : 'unavailable'}  ${d.name} (${facts.join(', ')})`);
    if (!d.available && d.reason) lines.push(`         reason: ${d.reason}`);
  }
  return lines.join('\n') + '\n';
}
