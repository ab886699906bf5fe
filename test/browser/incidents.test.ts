import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import type { IncidentDetail } from '../../src/protocol/incidents.js';
import { CallScript } from '../helpers/calls.js';
import { ARTIFACTS, consoleBrowser } from '../helpers/console-browser.js';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { accessibilityViolations } from './accessibility.js';

/** As long as the pages' own waits: the record writes from a queue, the page from the network. */
const POLL = { timeout: 10_000 };

const browser = consoleBrowser();

const connected = (page: Page) => page.locator('.connection[data-status="live"]').waitFor();
const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent ?? '');

/** An incident as the review API answers, once the record's write queue has stored it (and `ready` holds). */
async function recordedIncident(
  callId: string,
  ready: (incident: IncidentDetail) => boolean = () => true,
  on: TestServer = browser.server,
): Promise<IncidentDetail> {
  let found: IncidentDetail | undefined;
  await expect
    .poll(async () => {
      const response = await fetch(`${on.http}/v1/incidents/${callId}`, {
        headers: { authorization: `Bearer ${TOKENS.supervisor}` },
      });
      found = response.ok ? ((await response.json()) as IncidentDetail) : undefined;
      return found !== undefined && ready(found);
    }, POLL)
    .toBe(true);
  return found!;
}

const corrections = (incident: IncidentDetail) =>
  incident.timeline.filter((entry) => entry.kind === 'feedback').map((entry) => entry.data);

/** The corrections on a call's incident timeline, once the record holds one. */
const recordedCorrections = async (callId: string, on?: TestServer) =>
  corrections(await recordedIncident(callId, (found) => corrections(found).length > 0, on));

/** Opens a line's "wrong label" choice from the keyboard, picks `label` and sends it. */
async function correctByKeyboard(page: Page, line: Locator, label: string): Promise<void> {
  await line.getByRole('button', { name: 'Wrong label?' }).focus();
  await page.keyboard.press('Enter');
  const choice = line.getByLabel('Right label');
  await expect.poll(() => choice.evaluate((select) => select === document.activeElement), POLL).toBe(true);
  await choice.selectOption(label);
  await page.keyboard.press('Tab');
  expect(await focusedText(page)).toBe('Send');
  await page.keyboard.press('Enter');
}

browser.describe('corrections and the incident record in Chromium', () => {
  it('lets an agent say a line was read wrong, from the keyboard; the correction joins the incident’s timeline', async () => {
    const call = new CallScript(browser.producer, 'wrong-label-agent');
    await call.start('agent-wl', 'team-wl');
    await call.customer('my router has been down since monday');
    await call.customer('you are a useless idiot');
    const page = await browser.open(`token=${TOKENS.agent}&agentId=agent-wl`);
    await connected(page);
    const abusive = page.locator('.line-customer[data-label="abusive"]');
    await abusive.waitFor();
    // Only lines shown with a label offer the correction.
    expect(await page.locator('.line-customer').getByRole('button', { name: 'Wrong label?' }).count()).toBe(2);

    await correctByKeyboard(page, abusive, 'venting');
    expect(await abusive.getByLabel('Right label').locator('option').allTextContents()).toEqual([
      'neutral',
      'venting',
      'threat',
    ]);
    await abusive.getByRole('status').filter({ hasText: 'Thanks: recorded as venting' }).waitFor();
    // The choice closes and focus returns to where it was opened.
    expect(await abusive.getByRole('button', { name: 'Wrong label?' }).getAttribute('aria-expanded')).toBe('false');
    expect(await focusedText(page)).toBe('Wrong label?');
    expect(await accessibilityViolations(page)).toEqual([]);

    expect(await recordedCorrections(call.callId)).toEqual([
      expect.objectContaining({
        segmentId: `${call.callId}-s1`,
        speaker: 'customer',
        text: 'you are a useless idiot',
        modelLabel: 'abusive',
        label: 'venting',
        by: 'acme:subscribe',
      }),
    ]);

    // An open choice is audited too.
    await abusive.getByRole('button', { name: 'Wrong label?' }).click();
    await page.screenshot({ path: `${ARTIFACTS}/console-agent-wrong-label.png`, fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    expect(await abusive.getByLabel('Right label').isHidden()).toBe(true);
    await call.end();
  });

  it('lets a supervisor correct a briefing’s line, and says so when the service no longer keeps the line', async () => {
    // The service keeps only each call's newest line, so the briefing's older lines cannot be corrected.
    const own = await startServer({ TRANSCRIPT_REPLAY_LINES: '1' });
    try {
      const ingest = await TestClient.connect(`${own.ws}/v1/ingest`, TOKENS.ingest);
      const page = await browser.open(`view=supervisor&token=${TOKENS.supervisor}&teamId=team-wls`, own);
      await connected(page);
      const call = new CallScript(ingest, 'wrong-label-sup');
      await call.start('agent-wls', 'team-wls');
      for (const text of ['you are a useless idiot', 'are you a moron', 'you useless idiot']) await call.customer(text);
      const lines = page.locator('.briefing[data-call-id="wrong-label-sup"] .incidents li');
      await expect.poll(() => lines.count(), POLL).toBe(3);

      await correctByKeyboard(page, lines.last(), 'neutral');
      await lines.last().getByRole('status').filter({ hasText: 'Thanks: recorded as neutral' }).waitFor();
      await correctByKeyboard(page, lines.first(), 'venting');
      await lines
        .first()
        .getByRole('status')
        .filter({ hasText: 'Not recorded: the service no longer keeps this line' })
        .waitFor();
      await page.screenshot({ path: `${ARTIFACTS}/console-supervisor-wrong-label.png`, fullPage: true });
      expect(await accessibilityViolations(page)).toEqual([]);

      expect(await recordedCorrections(call.callId, own)).toEqual([
        expect.objectContaining({
          segmentId: `${call.callId}-s2`,
          modelLabel: 'abusive',
          label: 'neutral',
          by: 'sup-ana',
        }),
      ]);
      ingest.close();
    } finally {
      await own.close();
    }
  });

  it('lists an abusive call’s incident, filters, pages with More, shows the timeline and exports', async () => {
    const call = new CallScript(browser.producer, 'record-abuse');
    await call.start('agent-rec', 'team-rec');
    await call.customer('the internet keeps dropping every evening');
    await call.agent('let me check the line for you');
    await call.customer('you are a useless idiot');
    await call.agent('i want to help and i can do that while we keep this respectful');
    await call.customer('are you a moron');
    // The line is corrected while the call is live, as an agent would: the service corrects only lines it still holds.
    await recordedIncident(call.callId, (found) => found.cueTypes.includes('warn'));
    const correction = await fetch(`${browser.server.http}/v1/feedback`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.agent}`, 'content-type': 'application/json' },
      body: JSON.stringify({ callId: call.callId, segmentId: `${call.callId}-s4`, label: 'venting' }),
    });
    expect(correction.status).toBe(201);
    await call.end();
    const other = new CallScript(browser.producer, 'record-other');
    await other.start('agent-rec-2', 'team-rec');
    await other.customer('you useless idiot');
    await other.end();
    const recorded = await recordedIncident(call.callId, (found) => found.endedAt !== undefined);
    await recordedIncident(other.callId, (found) => found.endedAt !== undefined);

    const page = await browser.open(`view=incidents&token=${TOKENS.supervisor}&teamId=team-rec&limit=1`);
    const rows = page.locator('.incidents-table tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    await page.getByRole('button', { name: 'More' }).click();
    await expect.poll(() => rows.count(), POLL).toBe(2);
    expect(await rows.evaluateAll((all) => all.map((row) => (row as HTMLElement).dataset.callId))).toEqual([
      other.callId,
      call.callId,
    ]);
    // The last page is in: "More" goes, and focus moves on to the row it brought.
    expect(await page.getByRole('button', { name: 'More' }).count()).toBe(0);
    expect(await focusedText(page)).toBe(call.callId);
    expect(await page.getByRole('status').filter({ hasText: '2 incidents shown' }).count()).toBe(1);

    await page.getByLabel('Agent').fill('agent-rec');
    await page.getByLabel('Cue type').selectOption('warn');
    await page.getByRole('button', { name: 'Show incidents' }).click();
    await expect.poll(() => rows.count(), POLL).toBe(1);
    const row = page.locator(`tr[data-call-id="${call.callId}"]`);
    expect(await row.locator('td').allTextContents()).toEqual([
      expect.any(String),
      'agent-rec',
      'team-rec',
      'Limit set, Warning',
    ]);
    expect(new URL(page.url()).searchParams.get('cueType')).toBe('warn');

    // Days are the browser's local days, the last one included.
    const [day, nextDay] = await page.evaluate((at) => {
      const local = (date: Date) => date.toLocaleDateString('en-CA');
      const first = new Date(at);
      return [local(first), local(new Date(first.getFullYear(), first.getMonth(), first.getDate() + 1))];
    }, recorded.firstIncidentAt);
    await page.getByLabel('From (day)').fill(nextDay!);
    await page.getByLabel('To (day, included)').fill(nextDay!);
    await page.getByRole('button', { name: 'Show incidents' }).click();
    await page.getByText('No incidents match these filters.').waitFor();
    await page.getByLabel('From (day)').fill(day!);
    await page.getByLabel('To (day, included)').fill(day!);
    await page.getByRole('button', { name: 'Show incidents' }).click();
    await row.waitFor();

    await row.getByRole('button', { name: call.callId }).click();
    const timeline = page.locator('.timeline');
    await timeline.waitFor();
    expect(await focusedText(page)).toBe(`Call ${call.callId}`);
    expect(await row.getAttribute('aria-current')).toBe('true');
    const lines = timeline.locator('.event[data-kind="line"]');
    expect(await lines.locator('.event-text').allTextContents()).toEqual([
      'the internet keeps dropping every evening',
      'let me check the line for you',
      'you are a useless idiot',
      'i want to help and i can do that while we keep this respectful',
      'are you a moron',
    ]);
    expect(await lines.locator('.speaker').allTextContents()).toEqual(['Caller', 'Agent', 'Caller', 'Agent', 'Caller']);
    expect(await timeline.locator('.event[data-kind="line"] .label').first().textContent()).toMatch(/^neutral/);
    const cues = timeline.locator('.event[data-kind="cue"] .event-title');
    expect(await cues.evaluateAll((all) => all.map((cue) => (cue as HTMLElement).dataset.cueType))).toEqual(
      expect.arrayContaining(['set-limit', 'warn']),
    );
    expect(
      await timeline
        .locator('.event[data-kind="cue"]', { has: page.locator('[data-cue-type="warn"]') })
        .locator('.event-evidence mark')
        .allTextContents(),
    ).toEqual(['moron']);
    const corrected = timeline.locator('.event[data-kind="feedback"]');
    expect(await corrected.locator('.event-title').textContent()).toBe(
      'acme:subscribe corrected the label from abusive to venting',
    );
    expect(await corrected.locator('.event-text').textContent()).toBe('are you a moron');
    await page.screenshot({ path: `${ARTIFACTS}/console-incidents.png`, fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);

    // The exports hold every incident the applied filters match, fetched with the page's token.
    const saved = async (name: string): Promise<{ file: string; text: string }> => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).click()]);
      return { file: download.suggestedFilename(), text: readFileSync((await download.path())!, 'utf8') };
    };
    const jsonLines = await saved('Export as JSON lines');
    expect(jsonLines.file).toBe('incidents.jsonl');
    const exported = jsonLines.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as IncidentDetail);
    expect(exported.map((incident) => incident.callId)).toEqual([call.callId]);
    expect(exported[0]!.timeline).toEqual((await recordedIncident(call.callId)).timeline);
    await page.getByRole('status').filter({ hasText: 'Saved incidents.jsonl' }).waitFor();
    const csv = await saved('Export as CSV');
    expect(csv.file).toBe('incidents.csv');
    const csvRows = csv.text.trim().split('\r\n');
    expect(csvRows[0]).toBe('call_id,epoch,agent_id,team_id,at,kind,speaker,label,cue_type,step,by,text');
    expect(csvRows.length).toBe(exported[0]!.timeline.length + 1);
    expect(
      csvRows.slice(1).every((line) => line.startsWith(`${call.callId},${exported[0]!.epoch},agent-rec,team-rec,`)),
    ).toBe(true);
  });

  it('explains a refused token, a bad filter and a record that is off', async () => {
    const refusals: [string, string][] = [
      [`view=incidents&token=${TOKENS.agent}`, 'needs the review scope'],
      ['view=incidents&token=not-a-token-of-this-service', 'did not accept this token'],
    ];
    for (const [query, explanation] of refusals) {
      const page = await browser.open(query);
      expect(await page.getByRole('alert').textContent(), query).toContain(explanation);
      expect(await accessibilityViolations(page), query).toEqual([]);
    }

    const page = await browser.open(`view=incidents&token=${TOKENS.supervisor}&limit=500`);
    const notice = page.getByRole('alert');
    await notice.filter({ hasText: 'Check the filters: limit:' }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    const address = new URL(page.url());
    address.searchParams.delete('limit');
    await page.goto(address.href);
    await page.locator('.connection[data-status="live"]').waitFor();
    await page.getByLabel('Agent').fill('a'.repeat(129));
    await page.getByRole('button', { name: 'Show incidents' }).click();
    await notice.filter({ hasText: 'Check the filters: agentId:' }).waitFor();

    const off = await startServer({ RECORD: 'off' });
    try {
      const offPage = await browser.open(`view=incidents&token=${TOKENS.supervisor}`, off);
      expect(await offPage.getByRole('alert').textContent()).toContain('The incident record is off on this service');
      expect(await accessibilityViolations(offPage)).toEqual([]);
    } finally {
      await off.close();
    }
  });
});
