import type { FastifyInstance } from 'fastify';
import { refusedCall } from '../auth/agent-binding.js';
import { requireScope } from '../auth/guard.js';
import { HttpError, refusal } from '../protocol/errors.js';
import { FeedbackRecorded, LabelFeedback } from '../protocol/incidents.js';
import { maskDigits } from '../record/mask.js';
import type { ServiceContext } from './context.js';
import { RECORD_OFF, sendRefusal } from './http-errors.js';

const CALL_STATE_UNREACHABLE = refusal(
  'unavailable',
  'Redis, where the call lines are kept, is unreachable; try again shortly',
);

/** "Wrong label" from an agent or supervisor screen: the right label for a line the call still keeps, stored for the next training round. */
export function registerFeedback(app: FastifyInstance, ctx: ServiceContext): void {
  app.post<{ Body: LabelFeedback }>(
    '/v1/feedback',
    {
      schema: {
        body: LabelFeedback,
        response: { 201: FeedbackRecorded, 403: HttpError, 404: HttpError, 503: HttpError },
      },
      preValidation: requireScope(ctx.tokens, ['subscribe', 'supervise']),
    },
    async (request, reply) => {
      if (!ctx.record) return sendRefusal(reply, RECORD_OFF);
      // The line is read from where calls are kept: while Redis is unreachable, say so at once rather than queue.
      if (!ctx.state.ready()) return sendRefusal(reply, CALL_STATE_UNREACHABLE);
      const { callId, segmentId, label } = request.body;
      const principal = request.principal!;
      const noLine = refusal(
        'not_found',
        `segmentId: call ${callId} holds no final line ${segmentId} (only its newest lines are kept)`,
      );
      if (principal.agentId !== undefined) {
        // A token bound to an agent corrects its calls' lines only: a call the directory no longer knows has no agent to check.
        const call = await ctx.hub.callInfo(principal.tenant, callId);
        if (!call) return sendRefusal(reply, noLine);
        const refused = refusedCall(principal, call, 'callId');
        if (refused) return sendRefusal(reply, refused);
      }
      const kept = await ctx.hub.finalLine(principal.tenant, callId, segmentId);
      if (!kept) return sendRefusal(reply, noLine);
      const { line, epoch } = kept;
      const row = {
        tenant: principal.tenant,
        callId,
        epoch,
        segmentId,
        by: principal.name,
        at: Date.now(),
        speaker: line.speaker,
        text: maskDigits(line.text),
        ...(line.label !== undefined ? { modelLabel: line.label } : {}),
        label,
      };
      await ctx.record.store.addFeedback(row);
      const { tenant: _tenant, epoch: _epoch, ...recorded } = row;
      return reply.code(201).send(recorded);
    },
  );
}
