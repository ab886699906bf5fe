import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** The parsed message, or the first schema violation as "path: problem". */
export type Checked<T extends TSchema> = { ok: true; value: Static<T> } | { ok: false; problem: string };

export function checkMessage<T extends TSchema>(schema: T, message: unknown): Checked<T> {
  if (Value.Check(schema, message)) return { ok: true, value: message };
  const first = Value.Errors(schema, message).First();
  const where = first?.path ? first.path : 'message';
  return { ok: false, problem: `${where}: ${first?.message ?? 'does not match the expected shape'}` };
}
