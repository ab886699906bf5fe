import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { classifierDefaults } from '../src/classifier/index.js';
import { failure, parseCommandLine, usageError } from '../src/cli/command-line.js';
import type { Example } from './datasets/types.js';
import { readSplit } from './prepared-split.js';

/** What a dev-side test script reads: the dev split training/prepare.ts wrote, and the model to read it with. */
export interface DevSplit {
  devFile: string;
  lines: Example[];
  modelDir: string;
}

/** Parses `PREPARED_DIR [--model DIR]` and reads PREPARED_DIR/dev.jsonl, or exits with a message naming the problem. */
export function readDevSplit(program: string, usage: string): DevSplit {
  const { positionals, values } = parseCommandLine(
    program,
    usage,
    { model: { type: 'string', default: classifierDefaults.modelDir } },
    { allowPositionals: true },
  );
  const [preparedDir] = positionals;
  if (!preparedDir) usageError(program, 'name the folder training/prepare.ts wrote (PREPARED_DIR)');
  const devFile = join(preparedDir, 'dev.jsonl');
  if (!existsSync(devFile)) failure(program, `${devFile} does not exist: run training/prepare.ts first`);
  return { devFile, lines: readSplit(devFile), modelDir: values.model };
}
