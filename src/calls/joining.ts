import { refusal, type Refusal } from '../protocol/errors.js';

/** How `owner` comes to the call. */
export interface Joining {
  /** A Twilio webhook whose X-Twilio-Signature was checked against the tenant's auth token. */
  signedWebhook?: boolean;
}

/**
 * An ingest token alone may have been copied from a Twilio webhook URL (where it travels, unsigned):
 * a call a signed webhook fed refuses everything else.
 */
export const onlySignedWebhooks = (callId: string): Refusal =>
  refusal(
    'forbidden',
    `callId: call ${callId} is fed by Twilio webhooks signed with the tenant's Twilio auth token; nothing else may start, feed, acknowledge or end it`,
  );
