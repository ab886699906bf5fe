import type { FastifyInstance, FastifyReply } from 'fastify';
import { requireScope } from '../auth/guard.js';
import { CallIdParams, ExportQuery, IncidentQuery, type IncidentDetail } from '../protocol/incidents.js';
import { queryValidator, validator } from '../protocol/validator.js';
import { BadCursorError, type IncidentStore } from '../record/incident-store.js';
import type { ServiceContext } from './context.js';
import { incidentsCsv } from './incidents-csv.js';

const checkQuery = queryValidator(IncidentQuery);
const checkExport = queryValidator(ExportQuery);
const checkParams = validator(CallIdParams);

const invalid = (reply: FastifyReply, message: string) => reply.code(400).send({ error: 'invalid_request', message });

/** The query without `token`, which authenticates (a download link carries it) and is no filter. */
const filtersOf = (query: unknown): unknown => {
  const { token: _token, ...filters } = (query ?? {}) as Record<string, unknown>;
  return filters;
};

/** The store, or a 503 saying the record is off. */
function storeOf(ctx: ServiceContext, reply: FastifyReply): IncidentStore | undefined {
  if (ctx.record) return ctx.record.store;
  void reply
    .code(503)
    .send({ error: 'record_off', message: 'the incident record is off on this service (RECORD=off)' });
  return undefined;
}

/** The incident record for review (scope `review`): list, one incident's timeline, export, delete. Every query is the caller's tenant's. */
export function registerIncidents(app: FastifyInstance, ctx: ServiceContext): void {
  const review = { preValidation: requireScope(ctx.tokens, ['review']) };

  app.get('/v1/incidents', review, async (request, reply) => {
    const query = checkQuery(filtersOf(request.query));
    if (!query.ok) return invalid(reply, query.problem);
    const store = storeOf(ctx, reply);
    if (!store) return reply;
    try {
      return await store.list(request.principal!.tenant, query.value);
    } catch (error) {
      if (error instanceof BadCursorError) return invalid(reply, `querystring.${error.message}`);
      throw error;
    }
  });

  app.get('/v1/incidents/export', review, async (request, reply) => {
    const query = checkExport(filtersOf(request.query));
    if (!query.ok) return invalid(reply, query.problem);
    const store = storeOf(ctx, reply);
    if (!store) return reply;
    const { format, ...filter } = query.value;
    const incidents: IncidentDetail[] = [];
    for await (const incident of store.each(request.principal!.tenant, filter)) incidents.push(incident);
    if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(incidentsCsv(incidents));
    return reply.type('application/x-ndjson').send(incidents.map((i) => `${JSON.stringify(i)}\n`).join(''));
  });

  app.get('/v1/incidents/:callId', review, async (request, reply) => {
    const params = checkParams(request.params);
    if (!params.ok) return invalid(reply, `params.${params.problem}`);
    const store = storeOf(ctx, reply);
    if (!store) return reply;
    const incident = await store.get(request.principal!.tenant, params.value.callId);
    return (
      incident ??
      reply
        .code(404)
        .send({ error: 'not_found', message: `callId: no incident recorded for call ${params.value.callId}` })
    );
  });

  app.delete('/v1/incidents/:callId', review, async (request, reply) => {
    const params = checkParams(request.params);
    if (!params.ok) return invalid(reply, `params.${params.problem}`);
    const store = storeOf(ctx, reply);
    if (!store) return reply;
    const removed = await store.deleteCall(request.principal!.tenant, params.value.callId);
    if (!removed)
      return reply.code(404).send({ error: 'not_found', message: `callId: no record of call ${params.value.callId}` });
    return reply.code(204).send();
  });
}
