import { Type, type TSchema } from '@sinclair/typebox';

/**
 * An optional field a provider may also send as `null` for "not set" (protobuf decoding with
 * defaults, AssemblyAI's unattributed turns); readers treat null as absent. The union gets its own
 * error message: TypeBox's would be "Expected union value".
 */
export const OptionalOrNull = <T extends TSchema>(schema: T) =>
  Type.Optional(Type.Union([schema, Type.Null()], { errorMessage: `expected ${String(schema.type)} or null` }));
