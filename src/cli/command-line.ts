import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/** A message folded onto one line, as the two endings below promise. */
const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ');

/** Ends a command-line program over a mistake in how it was called: one line on stderr, exit status 2. */
export function usageError(program: string, problem: string): never {
  console.error(`${program}: ${oneLine(problem)} (--help for usage)`);
  process.exit(2);
}

/** Ends a command-line program that cannot do its work (a missing file or model): one line on stderr, exit status 1. */
export function failure(program: string, problem: string): never {
  console.error(`${program}: ${oneLine(problem)}`);
  process.exit(1);
}

/**
 * parseArgs for the project's command-line programs: `--help` (or `-h`) prints `usage` and exits 0;
 * an unknown option or a missing value is reported by usageError instead of a stack trace.
 */
export function parseCommandLine<const O extends Options>(
  program: string,
  usage: string,
  options: O,
  { allowPositionals = false } = {},
) {
  try {
    const parsed = parseArgs({ options: { ...options, ...HELP }, allowPositionals, strict: true });
    if ((parsed.values as { help?: boolean }).help) {
      console.log(usage);
      process.exit(0);
    }
    return parsed;
  } catch (error) {
    // parseArgs explains some mistakes (a value that starts with a dash) over several lines.
    return usageError(program, (error as Error).message);
  }
}
