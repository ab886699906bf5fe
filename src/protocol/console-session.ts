import { Type, type Static } from '@sinclair/typebox';

/** GET /console/session: who the console's token belongs to, so the page can explain a refusal before subscribing. */
export const ConsoleSession = Type.Object({
  name: Type.String(),
  scopes: Type.Array(Type.String()),
});
export type ConsoleSession = Static<typeof ConsoleSession>;
