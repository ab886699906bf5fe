import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface ModelInfo {
  dir: string;
  bytes: number;
  /** First 12 hex digits of model.onnx's SHA-256: which model the figures belong to (it may be retrained). */
  sha256: string;
  modifiedAt: string;
}

export function modelInfo(modelDir: string): ModelInfo {
  const file = join(modelDir, 'model.onnx');
  return {
    dir: relative(process.cwd(), modelDir) || '.',
    bytes: statSync(file).size,
    sha256: createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12),
    modifiedAt: statSync(file).mtime.toISOString(),
  };
}
