import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';
import { refusal, type Outcome, type Refusal } from './errors.js';

/** A checked value, or the `invalid_message` refusal a route sends as it is. */
export type Parsed<T> = Outcome<{ value: T }>;

/** The first schema violation as "at.Field.path[0]: problem" (`at` names what was checked: body, querystring…). */
function firstProblem(check: TypeCheck<TSchema>, value: unknown, at: string | undefined): Refusal {
  const first = check.Errors(value).First();
  if (!first) return refusal('invalid_message', `${at ?? 'message'}: does not match the expected shape`);
  const error = deepest(first);
  return refusal('invalid_message', `${fieldName(error.path, at)}: ${problemOf(error)}`);
}

/** "/Transcript/Results/0/EndTime" as a reader would name it: "Transcript.Results[0].EndTime". */
function fieldName(pointer: string, at = ''): string {
  const name = pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : name === '' ? part : `${name}.${part}`), at);
  return name === '' ? 'message' : name;
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

/**
 * What a field should be: a missing one says so; a schema may say it in its own words
 * (`errorMessage`, as for a pattern); a union of literals (a format, a cue type) lists what it
 * takes; any other error says what TypeBox expected.
 */
function problemOf(error: ValueError): string {
  const { errorMessage, anyOf } = error.schema as { errorMessage?: string; anyOf?: { const?: unknown }[] };
  const present = error.type !== ValueErrorType.ObjectRequiredProperty;
  if (present && errorMessage !== undefined) return errorMessage;
  if (present && anyOf?.every((variant) => variant.const !== undefined))
    return `expected one of ${anyOf.map((variant) => String(variant.const)).join(', ')}`;
  return error.message.charAt(0).toLowerCase() + error.message.slice(1);
}

/**
 * A compiled validator whose failure names the first offending field, below `at` where given
 * (`validator(TranscriptChunk, 'chunk')`: "chunk.seq: expected integer").
 */
export function validator<T extends TSchema>(schema: T, at?: string) {
  const check = TypeCompiler.Compile(schema);
  return (value: unknown): Parsed<Static<T>> =>
    check.Check(value) ? { ok: true, value } : firstProblem(check, value, at);
}

/**
 * A validator for WebSocket frames (Fastify validates only HTTP requests). For a message with a
 * known `type`, the problem is reported against that variant, so it names the bad field.
 */
export function frameValidator<T extends TSchema>(union: T, variants: Record<string, TSchema>) {
  const whole = TypeCompiler.Compile(union);
  const byType = new Map(Object.entries(variants).map(([type, schema]) => [type, TypeCompiler.Compile(schema)]));
  const types = [...byType.keys()].join(', ');
  return (message: unknown): Parsed<Static<T>> => {
    if (whole.Check(message)) return { ok: true, value: message };
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      return refusal('invalid_message', 'message: expected a JSON object');
    }
    const type = (message as { type?: unknown }).type;
    const variant = typeof type === 'string' ? byType.get(type) : undefined;
    if (!variant) return refusal('invalid_message', `type: expected one of ${types}`);
    return firstProblem(variant, message, undefined);
  };
}

/**
 * A validator for query strings, whose values all arrive as text: numbers and booleans are read
 * from their text first (TypeBox's Value.Convert), then checked; failures name `querystring.FIELD`.
 */
export function queryValidator<T extends TSchema>(schema: T) {
  const check = validator(schema, 'querystring');
  return (query: unknown): Parsed<Static<T>> => check(Value.Convert(schema, query));
}
