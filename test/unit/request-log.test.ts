import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics.js';
import { RequestLog } from '../../src/routes/request-log.js';

describe('RequestLog', () => {
  it('warns of an address’s refusals with its first, then at most once a minute, with the count since', async () => {
    const lines: { level: number; msg: string; refused?: Record<string, number> }[] = [];
    const stream = new Writable({
      write: (chunk: Buffer, _encoding, done) => (lines.push(JSON.parse(chunk.toString())), done()),
    });
    let now = 0;
    const app = Fastify({
      logger: { level: 'info', stream },
      logController: new RequestLog(createMetrics(), () => now),
    });
    app.get('/refused/:status', (request, reply) =>
      reply.code(Number((request.params as { status: string }).status)).send(),
    );
    app.get('/fine', async () => 'ok');
    const refuse = (status: number) => app.inject(`/refused/${status}`);

    await refuse(401);
    await refuse(401);
    await refuse(429);
    now += 59_999;
    await refuse(403);
    now += 1;
    await refuse(401);
    await app.inject('/fine');

    expect(lines.map(({ level, msg, refused }) => ({ level, msg, refused }))).toEqual([
      { level: 40, msg: expect.stringContaining('refused'), refused: { 401: 1 } },
      { level: 40, msg: expect.stringContaining('refused'), refused: { 401: 2, 403: 1, 429: 1 } },
      { level: 30, msg: 'request completed', refused: undefined },
    ]);
    await app.close();
  });
});
