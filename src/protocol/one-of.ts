import { Type, type TLiteral, type TUnion } from '@sinclair/typebox';

/** A union of the given strings that keeps each literal's type (a plain map would widen them to string). */
export const oneOf = <const T extends readonly string[]>(values: T) =>
  Type.Union(values.map((value) => Type.Literal(value))) as TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }>;
