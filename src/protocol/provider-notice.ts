import { Type, type Static } from '@sinclair/typebox';

/**
 * Sent once per reason on a provider-format ingest connection when a valid message could not be
 * used, so a drop is never silent; every occurrence is counted in
 * callguard_provider_messages_dropped_total.
 */
export const ProviderNotice = Type.Object({
  type: Type.Literal('notice'),
  code: Type.Literal('dropped'),
  reason: Type.Union([Type.Literal('closed_segment'), Type.Literal('duplicate'), Type.Literal('retried_webhook')]),
  callId: Type.String(),
  message: Type.String(),
});
export type ProviderNotice = Static<typeof ProviderNotice>;
