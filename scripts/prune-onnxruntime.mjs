// onnxruntime-node ships its native library for every platform (about 290 MB); an image needs its own.
// Keeps bin/napi-v6/<platform>/<arch> of the Node that runs this (in the Docker build stage: the target's).
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const bin = join(process.argv[2] ?? 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6');
for (const platform of readdirSync(bin)) {
  for (const arch of readdirSync(join(bin, platform))) {
    if (platform !== process.platform || arch !== process.arch) rmSync(join(bin, platform, arch), { recursive: true });
  }
  if (readdirSync(join(bin, platform)).length === 0) rmSync(join(bin, platform), { recursive: true });
}
console.log(`onnxruntime-node: kept ${process.platform}/${process.arch} only`);
