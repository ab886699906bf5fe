import { Type, type Static } from '@sinclair/typebox';

/** GET /console/session: who the console's token belongs to, so the page can explain a refusal before subscribing. */
export const ConsoleSession = Type.Object({
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  agentId: Type.Optional(Type.String({ description: 'The agent the token is bound to: it follows only their calls.' })),
});
export type ConsoleSession = Static<typeof ConsoleSession>;
