import type { FastifyInstance, FastifyReply, FastifyRequest, RouteGenericInterface } from 'fastify';
import { requireScope } from '../auth/guard.js';
import { refusal } from '../protocol/errors.js';
import {
  CallIdParams,
  ExportQuery,
  IncidentCallQuery,
  IncidentListQuery,
  type IncidentDetail,
} from '../protocol/incidents.js';
import { BadCursorError, type IncidentStore } from '../record/incident-store.js';
import type { ServiceContext } from './context.js';
import { RECORD_OFF, sendRefusal } from './http-errors.js';
import { incidentsCsv } from './incidents-csv.js';

type StoreHandler<R extends RouteGenericInterface> = (
  store: IncidentStore,
  request: FastifyRequest<R>,
  reply: FastifyReply,
) => Promise<unknown>;

/**
 * The incident record for review (scope `review`): list, one incident's timeline, export, delete.
 * Every query is the caller's tenant's; `token` authenticates (a download link carries it) and is no filter.
 */
export function registerIncidents(app: FastifyInstance, ctx: ServiceContext): void {
  const preValidation = requireScope(ctx.tokens, ['review']);
  /** With RECORD=off, every route answers 503 saying so. */
  const withStore =
    <R extends RouteGenericInterface>(handler: StoreHandler<R>) =>
    async (request: FastifyRequest<R>, reply: FastifyReply) =>
      ctx.record ? handler(ctx.record.store, request, reply) : sendRefusal(reply, RECORD_OFF);
  const oneCall = { preValidation, schema: { params: CallIdParams, querystring: IncidentCallQuery } };

  app.get<{ Querystring: IncidentListQuery }>(
    '/v1/incidents',
    { preValidation, schema: { querystring: IncidentListQuery } },
    withStore(async (store, request, reply) => {
      const { token: _token, ...query } = request.query;
      try {
        return await store.list(request.principal!.tenant, query);
      } catch (error) {
        if (!(error instanceof BadCursorError)) throw error;
        return sendRefusal(reply, refusal('invalid_message', `querystring.${error.message}`));
      }
    }),
  );

  app.get<{ Querystring: ExportQuery }>(
    '/v1/incidents/export',
    { preValidation, schema: { querystring: ExportQuery } },
    withStore(async (store, request, reply) => {
      const { format, token: _token, ...filter } = request.query;
      const incidents: IncidentDetail[] = [];
      for await (const incident of store.each(request.principal!.tenant, filter)) incidents.push(incident);
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(incidentsCsv(incidents));
      return reply.type('application/x-ndjson').send(incidents.map((i) => `${JSON.stringify(i)}\n`).join(''));
    }),
  );

  app.get<{ Params: CallIdParams; Querystring: IncidentCallQuery }>(
    '/v1/incidents/:callId',
    oneCall,
    withStore(async (store, request, reply) => {
      const { callId } = request.params;
      const incident = await store.get(request.principal!.tenant, callId, request.query.epoch);
      return incident ?? sendRefusal(reply, refusal('not_found', `callId: no incident recorded for call ${callId}`));
    }),
  );

  app.delete<{ Params: CallIdParams; Querystring: IncidentCallQuery }>(
    '/v1/incidents/:callId',
    oneCall,
    withStore(async (store, request, reply) => {
      const { callId } = request.params;
      if (!(await store.deleteCall(request.principal!.tenant, callId, request.query.epoch)))
        return sendRefusal(reply, refusal('not_found', `callId: no record of call ${callId}`));
      return reply.code(204).send();
    }),
  );
}
