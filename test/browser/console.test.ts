import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { loadFixtureCalls, type FixtureCall } from '../../fixtures/fixture-call.js';
import { KEPT_ENDED_CALLS } from '../../src/console/page/call-store.js';
import { DEFAULT_POLICY } from '../../src/ladder/policy.js';
import { CallScript, customerFinal, subscribe } from '../helpers/calls.js';
import { ARTIFACTS, consoleBrowser } from '../helpers/console-browser.js';
import { startServer, TOKEN_CONFIG, TOKENS, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { accessibilityViolations } from './accessibility.js';

const README_SCREENSHOT = 'docs/console.png';

const fixture = (name: string): FixtureCall => {
  const found = loadFixtureCalls().find((f) => f.name === name);
  if (!found) throw new Error(`no fixture call ${name}`);
  return found.call;
};

/** A final customer line, for driving a call past its fixture. */
const customerLine = (callId: string, seq: number, text: string) =>
  customerFinal(callId, seq, text, `${callId}-${seq}`, `${callId}-x${seq}`);

const browser = consoleBrowser();

const connected = (page: Page) => page.locator('.connection[data-status="live"]').waitFor();
const stepShown = (page: Page, step: string) =>
  page.locator(`.ladder-step[aria-current="step"][data-step="${step}"]`).waitFor();
const cueShown = (page: Page, type: string) => page.locator(`.cue-title[data-cue-type="${type}"]`).waitFor();

async function replay(chunks: FixtureCall['chunks'], client = browser.producer): Promise<void> {
  for (const chunk of chunks) await client.request({ type: 'transcript', id: `${chunk.callId}-${chunk.seq}`, chunk });
}

const startCall = (call: FixtureCall, client = browser.producer) =>
  client.request({
    type: 'call.start',
    id: `start-${call.callId}`,
    callId: call.callId,
    agentId: call.agentId,
    teamId: call.teamId,
  });

browser.describe('the console in Chromium', () => {
  it('shows an agent the replayed call, how each caller line was read, the ladder and the cue; acknowledging moves the ladder', async () => {
    const call = fixture('escalation-to-transfer');
    const page = await browser.open(`token=${TOKENS.agent}&agentId=${call.agentId}`);
    await connected(page);
    expect(await page.locator('.cue-title').textContent()).toBe('Waiting for a call');

    await startCall(call);
    const secondAbuse = call.chunks.findIndex((c) => c.isFinal && c.text.includes('brainless idiot'));
    const played = call.chunks.slice(0, secondAbuse + 1);
    await replay(played);
    await cueShown(page, 'warn');

    const finals = played.filter((c) => c.isFinal);
    expect(await page.locator('.line .line-text').allTextContents()).toEqual(finals.map((c) => c.text));
    expect(await page.locator('.line .speaker').allTextContents()).toEqual(
      finals.map((c) => (c.speaker === 'customer' ? 'Caller' : 'You')),
    );
    expect(
      await page.locator('.line-customer').evaluateAll((lines) => lines.map((l) => (l as HTMLElement).dataset.label)),
    ).toEqual(['neutral', 'abusive', 'abusive']);
    expect(await page.locator('.line-customer[data-label="abusive"] mark').allTextContents()).toEqual([
      'useless',
      'idiot',
    ]);
    expect(await page.locator('.line-customer[data-label="abusive"] .label').first().textContent()).toBe('abusive 97%');
    expect(await page.locator('.line-agent mark').count()).toBe(0);

    await stepShown(page, 'warning');
    expect(await page.getByRole('navigation', { name: /ladder/ }).getAttribute('aria-label')).toBe(
      'De-escalation ladder, now at Warning',
    );
    expect(await page.locator('.cue-script').textContent()).toBe(DEFAULT_POLICY.scripts.warn);
    expect(await page.locator('.cue-evidence-text').textContent()).toBe('oh shut up you brainless idiot just fix it');
    expect(await page.locator('.cue-evidence-text mark').allTextContents()).toEqual(['idiot']);
    expect(await page.locator('.ack.suggested').getAttribute('data-ack')).toBe('warning-given');
    await page.screenshot({ path: `${ARTIFACTS}/console-agent.png`, fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Transferred' }).click();
    await stepShown(page, 'transfer');
    await page.getByRole('status').filter({ hasText: 'Recorded: Transferred.' }).waitFor();

    // The service's ladder moved too: with the transfer taken, the next insult calls for the release.
    await replay(call.chunks.slice(secondAbuse + 1));
    await browser.producer.request(customerLine(call.callId, 100, 'you useless idiot'));
    await cueShown(page, 'release');
    await stepShown(page, 'release');

    await browser.producer.request({ type: 'call.end', id: 'end-1', callId: call.callId });
    await page.locator('.cue[data-tone="care"]').waitFor();
    expect(await page.locator('.cue-title').textContent()).toBe('Take a break');
    expect(await page.locator('.cue-script').textContent()).toBe(DEFAULT_POLICY.scripts['break-debrief']);
    expect(await page.locator('.call-line').textContent()).toBe(`Call ${call.callId} · ended`);
    expect(await page.locator('.ack:disabled').count()).toBe(4);
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('gives the agent the transfer briefing, pauses the ladder buttons under a safety alert, and shows where the ladder ended', async () => {
    const ids = { callId: 'transfer-ui', agentId: 'agent-briefed' };
    const page = await browser.open(`token=${TOKENS.agent}&agentId=${ids.agentId}`);
    await connected(page);
    const call = new CallScript(browser.producer, ids.callId);
    await call.start(ids.agentId, 'team-briefed');
    await call.customer('this stupid router has been dead all week and nobody calls me back');
    await call.agent('i am sorry to hear that let me pull up the account');
    await call.customer('you are a useless idiot');
    await call.agent('i want to help and i can only help if we keep this respectful');
    await call.customer('are you a moron or what');
    await call.agent('if this continues i will pass the call to my supervisor');
    await call.customer('shut up you useless idiot and fix it');
    await cueShown(page, 'transfer');
    await stepShown(page, 'transfer');

    // The cue tells the agent to brief the supervisor "with the summary below": the summary is there.
    expect(await page.locator('.cue-script').textContent()).toContain('with the summary below');
    const briefing = page.getByRole('region', { name: 'Summary for your supervisor' });
    expect(await briefing.locator('.briefing-summary').textContent()).toMatch(/\d abusive remarks?/);
    expect(await briefing.locator('dt').allTextContents()).toEqual([
      'Caller now',
      'Abusive remarks',
      'Threats',
      'Steps taken',
    ]);
    expect(await accessibilityViolations(page)).toEqual([]);
    // The README's screenshot (docs/console.png) is this screen, so it follows the console as it changes.
    await page.screenshot({ path: README_SCREENSHOT });

    await call.customer('i know where you live');
    await cueShown(page, 'safety-alert');
    await stepShown(page, 'safety');
    expect(await page.locator('.ack:disabled').count()).toBe(4);
    expect(await page.locator('.ack.suggested').count()).toBe(0);
    await page.getByText('Paused during a safety alert').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);

    await call.end();
    await page.locator('.ladder-box[data-ended="true"]').waitFor();
    expect(await page.locator('.ladder-step[aria-current="step"]').getAttribute('data-step')).toBe('safety');
    expect(await page.locator('.ladder-now').textContent()).toBe('ended');
    expect(await page.getByRole('navigation', { name: /ladder/ }).getAttribute('aria-label')).toBe(
      'De-escalation ladder, the call ended at Safety',
    );
    expect(await page.getByText('Paused during a safety alert').isVisible()).toBe(false);
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('shows a supervisor the team’s calls, a threat alert that stays until taken, and the briefings', async () => {
    const threat = fixture('threat');
    const page = await browser.open(`view=supervisor&token=${TOKENS.supervisor}&teamId=${threat.teamId}`);
    const colleague = await browser.open(`view=supervisor&token=${TOKENS.supervisor}&teamId=${threat.teamId}`);
    const agent = await browser.open(`token=${TOKENS.agent}&agentId=${threat.agentId}`);
    for (const screen of [page, colleague, agent]) await connected(screen);

    await startCall(threat);
    await replay(threat.chunks);
    const banner = page.getByRole('alert').filter({ hasText: `Threat on ${threat.agentId}’s call` });
    await banner.waitFor();
    expect(await banner.locator('mark').allTextContents()).toEqual(['hurt you']);
    expect(await page.title()).toBe('(1) Threat · call-guard console');
    expect(await page.locator(`tr[data-call-id="${threat.callId}"] .step-badge`).textContent()).toBe('Safety');
    const threatBriefing = page.locator(`.briefing[data-call-id="${threat.callId}"]`);
    expect(await threatBriefing.locator('h3').textContent()).toBe(`Threat · ${threat.agentId}`);

    const abusive = new CallScript(browser.producer, 'sup-transfer');
    await abusive.start('agent-9', threat.teamId);
    for (const text of ['you are a useless idiot', 'are you a moron', 'you useless idiot'])
      await abusive.customer(text);
    const transferBriefing = page.locator('.briefing[data-call-id="sup-transfer"]');
    await transferBriefing.waitFor();
    expect(await transferBriefing.locator('h3').textContent()).toBe('Warm transfer · agent-9');
    expect(await transferBriefing.locator('.briefing-summary').textContent()).toContain('3 abusive remarks');
    expect(await transferBriefing.locator('.incidents li').count()).toBe(3);
    expect(await page.locator('tr[data-call-id="sup-transfer"] .step-badge').textContent()).toBe('Transfer');
    expect(await page.locator('.alert .alert-title').allTextContents()).toEqual([
      'Warm transfer: needs a supervisor',
      'Abuse after the limit: agent to warn',
      'Threat: safety procedure',
    ]);
    await page.screenshot({ path: `${ARTIFACTS}/console-supervisor.png`, fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);

    // Taking the alert clears it from every supervisor's screen and says who took it.
    await colleague
      .getByRole('alert')
      .filter({ hasText: `Threat on ${threat.agentId}’s call` })
      .waitFor();
    await banner.getByRole('button', { name: 'I’m on it' }).click();
    for (const screen of [page, colleague]) {
      await screen.locator('.threat').waitFor({ state: 'detached' });
      expect(await screen.title()).toBe('call-guard console');
      expect(await screen.locator(`.alert[data-call-id="${threat.callId}"] .alert-taken`).textContent()).toMatch(
        /^taken by sup-ana at /,
      );
    }
    expect(await accessibilityViolations(colleague)).toEqual([]);
    // The agent on the call is told that help is on the way.
    expect(await agent.locator('.cue-help').textContent()).toBe('Supervisor sup-ana is on it.');
    expect(await accessibilityViolations(agent)).toEqual([]);
    await agent.screenshot({ path: `${ARTIFACTS}/console-agent-threat.png`, fullPage: true });
    await abusive.end();
  });

  it('quotes the line that carried the threat when it confirms an ambiguous remark, to supervisor and agent', async () => {
    const page = await browser.open(`view=supervisor&token=${TOKENS.supervisor}&teamId=team-confirm`);
    const agent = await browser.open(`token=${TOKENS.agent}&agentId=agent-c`);
    for (const screen of [page, agent]) await connected(screen);
    const call = new CallScript(browser.producer, 'confirmed-menace');
    await call.start('agent-c', 'team-confirm');
    await call.customer('you will see what happens');
    await cueShown(agent, 'ask-meaning');
    await call.customer('i know where you live');

    const banner = page.getByRole('alert').filter({ hasText: 'Threat on agent-c’s call' });
    await banner.waitFor();
    expect(await banner.locator('.threat-quote').textContent()).toBe('i know where you live');
    await cueShown(agent, 'safety-alert');
    expect(await agent.locator('.cue-evidence-text').textContent()).toBe('i know where you live');
    expect(await agent.locator('.cue-evidence-lead .label').textContent()).toBe('threat 97%');
    await call.end();
  });

  it('keeps an ended call in the supervisor’s table for ten minutes, then lets it go', async () => {
    const page = await browser.open(
      `view=supervisor&token=${TOKENS.supervisor}&teamId=team-linger`,
      browser.server,
      (p) => p.clock.install(),
    );
    await connected(page);
    const call = new CallScript(browser.producer, 'linger-1');
    await call.start('agent-l', 'team-linger');
    await call.customer('you are a useless idiot');
    const row = page.locator('tr[data-call-id="linger-1"]');
    await row.locator('.step-badge', { hasText: 'Limit' }).waitFor();
    await call.end();
    await page.locator('tr[data-call-id="linger-1"][data-ended="true"]').waitFor();
    await page.locator('.briefing[data-call-id="linger-1"]').waitFor();

    await page.clock.fastForward('09:00');
    expect(await row.count()).toBe(1);
    await page.clock.fastForward('01:01');
    await row.waitFor({ state: 'detached' });
    await page.getByText('No calls on this team right now.').waitFor();
    // The after-call debrief stays for the supervisor to act on.
    expect(await page.locator('.briefing[data-call-id="linger-1"]').count()).toBe(1);
  });

  it('lets the calls that ended first go from a supervisor’s page left open all shift: their row, alerts and briefing', async () => {
    const page = await browser.open(`view=supervisor&token=${TOKENS.supervisor}&teamId=team-shift`);
    await connected(page);
    const first = new CallScript(browser.producer, 'shift-first');
    await first.start('agent-s', 'team-shift');
    for (const text of ['you are a useless idiot', 'are you a moron', 'you useless idiot']) await first.customer(text);
    await first.end();
    const firstShown = page.locator('[data-call-id="shift-first"]');
    await page.locator('.briefing[data-call-id="shift-first"]').waitFor();
    expect(await page.locator('.alert[data-call-id="shift-first"]').count()).toBe(2);

    for (let i = 1; i <= KEPT_ENDED_CALLS; i++) {
      const call = new CallScript(browser.producer, `shift-${i}`);
      await call.start('agent-s', 'team-shift');
      await call.end();
    }
    await page.locator(`tr[data-call-id="shift-${KEPT_ENDED_CALLS}"][data-ended="true"]`).waitFor();
    await firstShown.first().waitFor({ state: 'detached' });
    expect(await page.locator('tr[data-call-id="shift-1"]').count()).toBe(1);
    await page.getByText('No alerts so far.').waitFor();
  });

  it('catches up when opened mid-call, and loses no cue across a dropped connection', async () => {
    const own = await startServer();
    try {
      let ingest = await TestClient.connect(`${own.ws}/v1/ingest`, TOKENS.ingest);
      const start = { type: 'call.start', id: 'start', callId: 'resume-ui', agentId: 'agent-r', teamId: 'team-r' };
      await ingest.request(start);
      await ingest.request(customerLine('resume-ui', 1, 'you are a useless idiot'));
      const agentLine = {
        callId: 'resume-ui',
        segmentId: 'resume-ui-a2',
        seq: 2,
        speaker: 'agent',
        isFinal: true,
        text: 'let me look at the account',
        startMs: 6000,
        endMs: 8000,
      };
      await ingest.request({ type: 'transcript', id: 'resume-ui-2', chunk: agentLine });
      const early = await TestClient.connect(`${own.ws}/v1/subscribe`, TOKENS.agent);
      await subscribe(early, { callId: 'resume-ui' }, { transcript: true });
      await early.next((m) => m.type === 'transcript' && m.segmentId === agentLine.segmentId);
      early.close();

      let offline = false;
      const page = await browser.open(`token=${TOKENS.agent}&agentId=agent-r`, own, (p) =>
        p.routeWebSocket(/\/v1\/subscribe/, (socket) => (offline ? socket.close() : socket.connectToServer())),
      );
      await cueShown(page, 'set-limit');
      await stepShown(page, 'limit');
      expect(await page.locator('.line-customer[data-label="abusive"] mark').allTextContents()).toEqual(['idiot']);
      // The agent's line raised no cue: it is there because the service replays the transcript so far.
      await page.locator('.line-agent', { hasText: agentLine.text }).waitFor();

      offline = true;
      for (const socket of own.app.websocketServer.clients) socket.terminate();
      await page.locator('.connection[data-status="reconnecting"]').waitFor();
      // While the page cannot get through, the producer comes back, adopts the call, and the next insult raises a cue.
      ingest = await TestClient.connect(`${own.ws}/v1/ingest`, TOKENS.ingest);
      const watcher = await TestClient.connect(`${own.ws}/v1/subscribe`, TOKENS.agent);
      await subscribe(watcher, { callId: 'resume-ui' });
      await ingest.request(start);
      await ingest.request(customerLine('resume-ui', 3, 'are you a moron'));
      await watcher.next((m) => m.type === 'cue' && m.cue.type === 'warn');
      expect(await page.locator('.cue-title').getAttribute('data-cue-type')).toBe('set-limit');

      offline = false;
      await cueShown(page, 'warn');
      await stepShown(page, 'warning');
      await connected(page);
      await page.locator('.line-customer', { hasText: 'are you a moron' }).waitFor();
      expect(await page.locator('.transcript .line-text').allTextContents()).toEqual([
        'you are a useless idiot',
        agentLine.text,
        'are you a moron',
      ]);
      for (const client of [ingest, watcher]) client.close();
    } finally {
      await own.close();
    }
  });

  it('keeps a threat raised after a restart apart from the one before: each is taken or dismissed on its own', async () => {
    const raiseThreat = async (server: TestServer): Promise<void> => {
      const ingest = await TestClient.connect(`${server.ws}/v1/ingest`, TOKENS.ingest);
      const call = new CallScript(ingest, 'epoch-ui');
      await call.start('agent-e', 'team-epoch');
      await call.customer('i know where you live and i am coming for you');
      ingest.close();
    };
    const before = await startServer();
    const port = new URL(before.http).port;
    const page = await browser.open(`view=supervisor&token=${TOKENS.supervisor}&teamId=team-epoch`, before);
    await connected(page);
    await raiseThreat(before);
    const banners = page.locator('.threat[data-call-id="epoch-ui"]');
    await banners.waitFor();
    const oldEpoch = await banners.getAttribute('data-epoch');
    await before.close();
    await page.locator('.connection[data-status="reconnecting"]').waitFor();
    const after = await startServer({ PORT: port });
    try {
      // The restarted service numbers the call afresh: its threat is seq 1 again, in another epoch.
      await raiseThreat(after);
      await banners.nth(1).waitFor();
      expect(await page.title()).toBe('(2) Threat · call-guard console');
      const old = page.locator(`.threat[data-epoch="${oldEpoch}"]`);
      const fresh = page.locator(`.threat[data-call-id="epoch-ui"]:not([data-epoch="${oldEpoch}"])`);

      // The service holds only the new epoch's alert: the old one is not claimed there (that would take the new one).
      await old.getByRole('button', { name: 'I’m on it' }).click();
      await old.getByText('the call was numbered afresh since').waitFor();
      await fresh.getByRole('button', { name: 'I’m on it' }).click();
      await fresh.waitFor({ state: 'detached' });
      expect(await page.title()).toBe('(1) Threat · call-guard console');
      await old.getByRole('button', { name: 'Dismiss' }).click();
      await banners.waitFor({ state: 'detached' });
      expect(await page.title()).toBe('call-guard console');
    } finally {
      await after.close();
    }
  });

  it('explains a missing or refused token, or a missing agent or team, instead of showing an empty console', async () => {
    const cases: [string, string][] = [
      ['agentId=agent-7', 'needs your access token'],
      [`token=${TOKENS.agent}`, 'whose calls to show'],
      ['token=not-a-token-of-this-service&agentId=agent-7', 'did not accept this token'],
      [`view=supervisor&token=${TOKENS.supervisor}`, 'needs the team to follow'],
      [`view=supervisor&token=${TOKENS.agent}&teamId=team-a`, 'needs a token with the supervise scope'],
    ];
    for (const [query, explanation] of cases) {
      const page = await browser.open(query);
      expect(await page.getByRole('alert').textContent(), query).toContain(explanation);
      expect(await accessibilityViolations(page), query).toEqual([]);
    }
  });

  it('works for an agent whose token is bound to them, and says why it will not open on another agent’s calls', async () => {
    const call = new CallScript(browser.producer, 'bound-page');
    const other = new CallScript(browser.producer, 'bound-page-other');
    await call.start('agent-bound', 'team-bound');
    await other.start('agent-7', 'team-bound');
    await call.customer('you are a useless idiot');
    const page = await browser.open(`token=${TOKENS.boundAgent}&agentId=agent-bound`);
    await connected(page);
    await cueShown(page, 'set-limit');
    await page.getByRole('button', { name: 'Limit set' }).click();
    await page.getByRole('status').filter({ hasText: 'Recorded: Limit set.' }).waitFor();
    const abusive = page.locator('.line-customer[data-label="abusive"]');
    await abusive.getByRole('button', { name: 'Wrong label?' }).click();
    await abusive.getByLabel('Right label').selectOption('venting');
    await abusive.getByRole('button', { name: 'Send' }).click();
    await abusive.getByRole('status').filter({ hasText: 'Thanks: recorded as venting' }).waitFor();

    const oneCall = await browser.open(`token=${TOKENS.boundAgent}&callId=bound-page`);
    await oneCall.locator('.line-customer[data-label="abusive"]').waitFor();
    const cases: [string, string][] = [
      ['agentId=agent-7', 'This token is bound to agent agent-bound'],
      ['callId=bound-page-other', "call bound-page-other is another agent's"],
    ];
    for (const [query, explanation] of cases) {
      const refused = await browser.open(`token=${TOKENS.boundAgent}&${query}`);
      expect(await refused.getByRole('alert').textContent(), query).toContain(explanation);
    }
    await call.end();
    await other.end();
  });

  it('stops reconnecting and says so when the service comes back without the page’s token', async () => {
    const before = await startServer();
    const port = new URL(before.http).port;
    const page = await browser.open(`token=${TOKENS.agent}&agentId=agent-7`, before);
    await connected(page);
    await before.close();
    await page.locator('.connection[data-status="reconnecting"]').waitFor();
    const withoutAgentToken = JSON.stringify(
      JSON.parse(TOKEN_CONFIG).filter((entry: { token: string }) => entry.token !== TOKENS.agent),
    );
    const after = await startServer({ PORT: port, AUTH_TOKENS: withoutAgentToken });
    try {
      expect(await page.getByRole('alert').textContent()).toContain('did not accept this token');
    } finally {
      await after.close();
    }
  });
});
