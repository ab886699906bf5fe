import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  onnxruntimeNode: string;
  /** 1-minute load average when the bench started: figures from a busy machine are not comparable. */
  loadAverageAtStart: number;
}

export function machineInfo(): MachineInfo {
  const onnxPackage = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    onnxruntimeNode: (JSON.parse(readFileSync(onnxPackage, 'utf8')) as { version: string }).version,
    loadAverageAtStart: loadavg()[0]!,
  };
}
