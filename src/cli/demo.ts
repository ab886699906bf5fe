/**
 * Starts the service with the real model (development tokens, this machine only) and replays a
 * fixture call into it at speech pace, over and over, so a newcomer can watch the console follow it.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { loadFixtureCalls } from '../../fixtures/fixture-call.js';
import { DEV_TOKENS } from '../auth/tokens.js';
import { loadClassifier } from '../classifier/index.js';
import { loadConfig } from '../config.js';
import type { IngestMessage } from '../protocol/ingest-messages.js';
import { buildServer } from '../server.js';
import { failure, parseCommandLine, usageError } from './command-line.js';

/** Time to open the console before the call starts, and the pause between replays. */
const LEAD_IN_MS = 5000;
const BETWEEN_CALLS_MS = 15_000;

const PROGRAM = 'npm run demo';
const USAGE = `usage: npm run demo [-- --call NAME] [--port PORT] [--host HOST]

Starts the service with the committed model and the development tokens, prints an agent and a
supervisor console address, then replays a fixture call at speech pace until Ctrl-C.

  --call NAME    the call to replay, a file name in fixtures/calls/ (default escalation-to-transfer)
  --port PORT    where to listen (default: PORT, else 8080)
  --host HOST    interface to listen on (default 127.0.0.1: this machine only)`;

const devToken = (name: string): string => DEV_TOKENS.find((t) => t.name === name)!.token;

const { values } = parseCommandLine(PROGRAM, USAGE, {
  call: { type: 'string', default: 'escalation-to-transfer' },
  port: { type: 'string' },
  host: { type: 'string', default: '127.0.0.1' },
});
const calls = loadFixtureCalls();
const fixture =
  calls.find((c) => c.name === values.call)?.call ??
  usageError(PROGRAM, `no fixture call "${values.call}"; choose one of: ${calls.map((c) => c.name).join(', ')}`);

// The demo always runs on the development tokens, so the printed addresses work; by default only this machine can reach it.
const config = (() => {
  try {
    return loadConfig({
      ...process.env,
      ...(values.port !== undefined ? { PORT: values.port } : {}),
      HOST: values.host,
      AUTH_TOKENS: '',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    });
  } catch (error) {
    // A setting is named by its variable ("PORT=\"abc\": …"); a bad --port is the flag's doing.
    const problem = (error as Error).message;
    const ofFlag = values.port !== undefined && problem.startsWith('PORT=');
    return usageError(PROGRAM, ofFlag ? `--port ${problem.slice('PORT='.length)}` : problem);
  }
})();
const classifier = await loadClassifier(config).catch((error: Error) =>
  failure(
    PROGRAM,
    `cannot load the model from ${config.modelDir} (${error.message}); train it (training/README.md) or set MODEL_DIR`,
  ),
);
const app = await buildServer({ config, classifier });
await app
  .listen({ port: config.port, host: config.host })
  .catch((error: Error) => failure(PROGRAM, `cannot listen on port ${config.port}: ${error.message}; try --port`));
const { port } = app.server.address() as AddressInfo;
// Where this machine reaches the service: a wildcard address is reached on loopback.
const reachable = ['0.0.0.0', '::'].includes(config.host) ? '127.0.0.1' : config.host;
const base = `http://${reachable}:${port}`;

console.log(`call-guard demo: replaying fixtures/calls/${values.call}.json at speech pace (Ctrl-C to stop).

  Agent console:       ${base}/console?token=${devToken('dev-agent')}&agentId=${fixture.agentId}
  Supervisor console:  ${base}/console?view=supervisor&token=${devToken('dev-supervisor')}&teamId=${fixture.teamId}
`);

const ingest = new WebSocket(`ws://${reachable}:${port}/v1/ingest`, {
  headers: { authorization: `Bearer ${devToken('dev-ingest')}` },
});
await once(ingest, 'open');
ingest.on('message', (data) => {
  const reply = JSON.parse(data.toString()) as { type: string; message?: string };
  if (reply.type === 'error') console.error(`the service refused a replayed message: ${reply.message}`);
});
const send = (message: IngestMessage): void => ingest.send(JSON.stringify(message));

process.once('SIGINT', () => {
  ingest.close();
  void app
    .close()
    .then(() => classifier.close())
    .then(() => process.exit(0));
});

for (let round = 1; ; round++) {
  const callId = `${fixture.callId}-${round}`;
  console.log(`Call ${callId} starts in ${LEAD_IN_MS / 1000} s.`);
  await sleep(LEAD_IN_MS);
  send({ type: 'call.start', callId, agentId: fixture.agentId, teamId: fixture.teamId });
  let atMs = 0;
  // Each chunk goes out when speech-to-text would have produced it: at the end of the words it holds.
  for (const chunk of fixture.chunks) {
    await sleep(Math.max(0, chunk.endMs - atMs));
    atMs = chunk.endMs;
    send({ type: 'transcript', chunk: { ...chunk, callId } });
  }
  send({ type: 'call.end', callId });
  console.log(
    `Call ${callId} ended: the console shows the after-call prompt. The call plays again in ${BETWEEN_CALLS_MS / 1000} s.`,
  );
  await sleep(BETWEEN_CALLS_MS);
}
