import { AgentView } from './agent-view.js';
import { openIncidents } from './incidents-page.js';
import { LabelCorrections } from './label-corrections.js';
import { CallStore } from './call-store.js';
import { mountFrame, showProblem } from './frame.js';
import { LiveFeed } from './live-feed.js';
import { readParams, type ConsoleParams } from './params.js';
import { SupervisorView } from './supervisor-view.js';
import { tokenProblem } from './token-check.js';

const root = document.getElementById('app')!;

function subscribeUrl(token: string): string {
  const url = new URL('/v1/subscribe', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('token', token);
  return url.href;
}

async function open(params: ConsoleParams): Promise<void> {
  const problem = await tokenProblem(params.token, params);
  if (problem) return showProblem(root, problem.message);
  const frame = mountFrame(root, params.view === 'agent' ? 'Agent console' : 'Supervisor console', params.subject);
  // A single-call page asks for that call's cues from the first one, before it has seen any.
  const firstResume = 'callId' in params.scope ? { [params.scope.callId]: 0 } : {};
  const store = new CallStore((change) => view.changed(change));
  const corrections = new LabelCorrections(params.token);
  const feed = new LiveFeed(
    {
      url: subscribeUrl(params.token),
      scope: params.scope,
      transcript: params.view === 'agent',
      resumePoints: () => ({ ...firstResume, ...store.resumePoints() }),
    },
    {
      onCalls: (calls, reconnected) => store.applySummaries(calls, reconnected),
      onEvent: (event) => store.apply(event),
      onStatus: (status) => frame.setStatus(status),
      onAck: (step, outcome) => view instanceof AgentView && view.ackResult(step, outcome),
      onRefused: (refusal) => showProblem(root, refusal),
      whyRefused: async () => {
        const problem = await tokenProblem(params.token, params);
        return problem && !problem.transient ? problem.message : undefined;
      },
    },
  );
  const view =
    params.view === 'agent'
      ? new AgentView(frame.main, store, (call, step) => feed.acknowledge(call, step), corrections)
      : new SupervisorView(frame.main, (callId, seq, refused) => feed.claimAlert(callId, seq, refused), corrections);
  feed.start();
}

const parsed = readParams(location.search);
if (!parsed.ok) showProblem(root, parsed.problem);
else if (parsed.params.view === 'incidents') openIncidents(root, parsed.params);
else void open(parsed.params);
