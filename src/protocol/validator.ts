import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

function firstProblem(check: TypeCheck<TSchema>, value: unknown): string {
  const first = check.Errors(value).First();
  const path = first?.path ? first.path.slice(1).replaceAll('/', '.') : 'message';
  return `${path}: ${first?.message ?? 'does not match the expected shape'}`;
}

/** A compiled validator whose failure names the first offending field ("chunk.seq: Expected integer"). */
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
