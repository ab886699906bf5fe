import type { TranscriptAdapter } from '../adapters/index.js';
import { twilio } from '../adapters/twilio.js';
import type { DropReason } from '../adapters/call-state.js';
import { DROP_EXPLANATIONS } from '../adapters/drops.js';
import { callInfo } from '../calls/call-ingest.js';
import type { Arrival } from '../calls/call-session.js';
import type { LegReport, ProviderLeg } from '../calls/provider-leg.js';
import { refusal } from '../protocol/errors.js';
import type { ProviderNotice } from '../protocol/provider-notice.js';
import type { ServiceContext } from './context.js';
import { parseProviderQuery } from './ingest-query.js';
import { handleNativeMessage } from './ingest-native.js';
import type { WsChannel } from './ws-channel.js';

/** Call-control messages in the service's own format, accepted on provider connections too. */
const CONTROL_TYPES = new Set(['call.end', 'agent.ack']);

type MessageHandler = (raw: unknown, arrival: Arrival) => void | Promise<void>;

/**
 * A provider-format connection: one leg of the call its query names. The call is started first;
 * its messages wait until this instance drives it, and a call it cannot start closes the
 * connection (1008), as does `format=twilio` for a tenant whose Twilio webhooks must be signed.
 * Returns the connection's message handler, or undefined when it is closed.
 */
export function openProviderConnection(
  ctx: ServiceContext,
  channel: WsChannel,
  tenant: string,
  adapter: TranscriptAdapter,
  query: unknown,
): MessageHandler | undefined {
  if (adapter === twilio && ctx.config.twilioAuthTokens.has(tenant)) {
    channel.refuse(
      refusal(
        'forbidden',
        'format: twilio over a WebSocket carries no X-Twilio-Signature, and this tenant’s Twilio webhooks are checked against its Twilio auth token; Twilio posts them to /v1/ingest/twilio',
      ),
    );
    channel.socket.close(1008, 'forbidden');
    return undefined;
  }
  const parsed = parseProviderQuery(query);
  if (!parsed.ok) {
    channel.refuse(parsed);
    channel.socket.close(1008, 'bad provider parameters');
    return undefined;
  }
  const { speakers, stream } = parsed.params;
  const call = callInfo(tenant, parsed.params);
  const tell = dropNotices(channel, call.callId);
  const opening: Promise<ProviderLeg | undefined> = ctx.ingest.start(call, channel.socket).then((started) => {
    const opened = started.ok ? ctx.ingest.connectLeg(call, { adapter, speakers, stream, onFinished: tell }) : started;
    if (!opened.ok) {
      channel.refuse(opened);
      channel.socket.close(1008, opened.code);
      return undefined;
    }
    const { socket } = channel;
    if (socket.readyState === socket.CLOSED) ctx.ingest.closeLeg(call, opened.leg);
    else socket.once('close', () => ctx.ingest.closeLeg(call, opened.leg));
    return opened.leg;
  });
  return async (raw, arrival) => {
    const leg = await opening;
    if (!leg) return;
    const type = (raw as { type?: unknown } | null)?.type;
    if (typeof type === 'string' && CONTROL_TYPES.has(type))
      return handleNativeMessage(ctx, channel, tenant, raw, arrival);
    const fed = leg.feed(raw, arrival);
    if (!fed.ok) return channel.refuse(fed);
    // Each chunk is a final or partial to read, as a native transcript message is: a result split at
    // every change of speaker pays for each, after the fact, so that it is never taken in part.
    if (fed.chunks > 1) channel.charge(fed.chunks - 1);
    tell(fed);
  };
}

/** Refused chunks are answered each time; drops are counted every time (by the ingest) and told once per reason. */
function dropNotices(channel: WsChannel, callId: string): (report: LegReport) => void {
  const told = new Set<DropReason>();
  return ({ refused, dropped }) => {
    for (const turnedAway of refused) channel.refuse(turnedAway);
    for (const reason of dropped) {
      if (told.has(reason)) continue;
      told.add(reason);
      const notice: ProviderNotice = {
        type: 'notice',
        code: 'dropped',
        reason,
        callId,
        message: DROP_EXPLANATIONS[reason],
      };
      channel.send(notice);
    }
  };
}
