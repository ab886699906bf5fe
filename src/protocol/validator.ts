import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { Value, type ValueError } from '@sinclair/typebox/value';

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/** The first schema violation as "Field.path[0]: problem". */
function firstProblem(check: TypeCheck<TSchema>, value: unknown): string {
  const first = check.Errors(value).First();
  if (!first) return 'message: does not match the expected shape';
  const error = deepest(first);
  return `${fieldName(error.path)}: ${lowerFirst(error.message)}`;
}

/** "/Transcript/Results/0/EndTime" as a reader would name it: "Transcript.Results[0].EndTime". */
function fieldName(pointer: string): string {
  if (pointer === '') return 'message';
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : name === '' ? part : `${name}.${part}`), '');
}

/**
 * A union reports only "Expected union value" at its own path; the variant whose first error
 * lies deepest is the one the sender meant, so its error names the field that is wrong.
 */
function deepest(error: ValueError): ValueError {
  let best = error;
  for (const variant of error.errors) {
    const first = variant.First();
    if (!first) continue;
    const candidate = deepest(first);
    if (candidate.path.length > best.path.length) best = candidate;
  }
  return best;
}

const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);

/** A compiled validator whose failure names the first offending field ("chunk.seq: expected integer"). */
export function validator<T extends TSchema>(schema: T) {
  const check = TypeCompiler.Compile(schema);
  return (value: unknown): Parsed<Static<T>> =>
    check.Check(value) ? { ok: true, value } : { ok: false, problem: firstProblem(check, value) };
}

/**
 * A validator for WebSocket frames (Fastify validates only HTTP bodies). For a message with a
 * known `type`, the problem is reported against that variant, so it names the bad field.
 */
export function frameValidator<T extends TSchema>(union: T, variants: Record<string, TSchema>) {
  const whole = TypeCompiler.Compile(union);
  const byType = new Map(Object.entries(variants).map(([type, schema]) => [type, TypeCompiler.Compile(schema)]));
  const types = [...byType.keys()].join(', ');
  return (message: unknown): Parsed<Static<T>> => {
    if (whole.Check(message)) return { ok: true, value: message };
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      return { ok: false, problem: 'message: expected a JSON object' };
    }
    const type = (message as { type?: unknown }).type;
    const variant = typeof type === 'string' ? byType.get(type) : undefined;
    if (!variant) return { ok: false, problem: `type: expected one of ${types}` };
    return { ok: false, problem: firstProblem(variant, message) };
  };
}

/**
 * A validator for query strings, whose values all arrive as text: numbers and booleans are read
 * from their text first (TypeBox's Value.Convert), then checked; failures name `querystring.FIELD`.
 */
export function queryValidator<T extends TSchema>(schema: T) {
  const check = TypeCompiler.Compile(schema);
  return (query: unknown): Parsed<Static<T>> => {
    const value = Value.Convert(schema, query);
    return check.Check(value)
      ? { ok: true, value }
      : { ok: false, problem: `querystring.${firstProblem(check, value)}` };
  };
}
