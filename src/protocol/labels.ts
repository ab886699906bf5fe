/**
 * The model's two outputs as plain lists, in output order; protocol/verdict.ts builds its schemas
 * from them. Free of TypeBox, so the console page can import them without bundling it.
 */
export const LABELS = ['neutral', 'venting', 'abusive', 'threat'] as const;

/**
 * What an agent line does in the call (a second output of the model, agent lines only):
 * `set-limit` asks for respect in order to keep helping; `warn` says what happens IF the abuse goes
 * on (a conditional transfer or hang-up is a warning); `transfer` and `release` happen now;
 * `acknowledge` is empathy or an apology; `policy` states a rule, process or security check;
 * `other` is everything else.
 */
export const AGENT_ACTS = ['set-limit', 'warn', 'transfer', 'release', 'acknowledge', 'policy', 'other'] as const;
