import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueFullError } from '../../src/classifier/index.js';
import type { Classifier } from '../../src/classifier/classifier.js';
import type { KeywordClassifier } from '../helpers/keyword-classifier.js';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';

let server: TestServer;

const post = (body: unknown, token = TOKENS.ingest, base = server.http) =>
  fetch(`${base}/v1/classify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server.close();
});

describe('HTTP endpoints', () => {
  it('classifies a batch of texts in order', async () => {
    const res = await post({
      texts: [
        'this stupid router has been dead all week',
        'you are a useless idiot',
        'i know where you live and i am coming for you',
        'thanks, that fixed it',
      ],
    });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as {
      results: { label: string; scores: Record<string, number>; spans: unknown[] }[];
    };
    expect(results.map((r) => r.label)).toEqual(['venting', 'abusive', 'threat', 'neutral']);
    expect(Object.keys(results[0]!.scores).sort()).toEqual(['abusive', 'neutral', 'threat', 'venting']);
  });

  it('classifies as the customer unless told the agent spoke', async () => {
    const classifier = server.classifier as KeywordClassifier;
    await post({ texts: ['pull the tray towards you'] });
    await post({ texts: ['pull the tray towards you gently'], speaker: 'agent' });
    expect(classifier.calls.slice(-2).map((c) => c.speaker)).toEqual(['customer', 'agent']);
    const wrong = await post({ texts: ['hi'], speaker: 'robot' });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).message).toMatch(/^body\.speaker/);
  });

  it('queues its texts as bulk, behind the tenant’s own calls', async () => {
    const classifier = server.classifier as KeywordClassifier;
    await post({ texts: ['first', 'second'] });
    expect(classifier.calls.slice(-2).map((c) => c.priority)).toEqual(['bulk', 'bulk']);
  });

  it('validates the body and names the problem', async () => {
    for (const body of [
      {},
      { texts: [] },
      { texts: 'hello' },
      { texts: [1] },
      { texts: Array(65).fill('x') },
      { texts: ['a'], extra: 1 },
    ]) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'invalid_message', message: expect.stringMatching(/^body/) });
    }
    const missing = await post({});
    expect((await missing.json()).message).toBe('body.texts: expected required property');
    const broken = await post('{broken');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: 'bad_json' });
  });

  it('answers an unknown route in the same shape as every other failure, without its query', async () => {
    const res = await fetch(`${server.http}/v1/nothing-here?token=secret`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not_found', message: 'GET /v1/nothing-here: no such route' });
  });

  it('checks a plain request to a WebSocket route as an upgrade, then answers a bare 404', async () => {
    const plain = (path: string, token?: string) =>
      fetch(`${server.http}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    for (const [path, token] of [
      ['/v1/ingest', TOKENS.ingest],
      ['/v1/subscribe', TOKENS.agent],
    ] as const) {
      const anonymous = await plain(path);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ error: 'unauthorized' });
      const known = await plain(path, token);
      expect(known.status).toBe(404);
      expect(await known.text()).toBe('');
    }
  });

  it('needs a token', async () => {
    expect((await post({ texts: ['hi'] }, '')).status).toBe(401);
  });

  it('answers 503 when the classifier queue is full', async () => {
    const full: Classifier = { classify: () => Promise.reject(new QueueFullError(1)), close: async () => {} };
    const busy = await startServer({}, full);
    try {
      const res = await post({ texts: ['hi'] }, TOKENS.ingest, busy.http);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await res.json()).toMatchObject({ error: 'queue_full' });
    } finally {
      await busy.close();
    }
  });

  it('serves health, readiness and metrics', async () => {
    expect((await fetch(`${server.http}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${server.http}/readyz`)).json()).toMatchObject({ status: 'ready' });
    const metrics = await (await fetch(`${server.http}/metrics`)).text();
    for (const name of [
      'callguard_final_segment_to_cue_seconds',
      'callguard_classifier_queue_depth',
      'callguard_ws_connections',
      'callguard_cues_total',
      'callguard_classifier_batch_size',
      // Node's own, under the service's prefix once: not callguard_process_process_….
      'callguard_process_cpu_seconds_total',
      'callguard_nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(metrics).toContain(name);
    }
    expect(metrics).not.toContain('callguard_process_process_');
  });
});
