import { describe, expect, it } from 'vitest';
import { incidentsCsv } from '../../src/routes/incidents-csv.js';

describe('the incidents CSV export', () => {
  it('shows a value a spreadsheet would read as a formula as text, and quotes as RFC 4180 says', () => {
    const csv = incidentsCsv([
      {
        callId: 'c1',
        epoch: 'e1',
        agentId: '=HYPERLINK("http://example.invalid","agent")',
        teamId: '@SUM(1+1)',
        startedAt: 0,
        firstIncidentAt: 0,
        cueTypes: ['set-limit'],
        timeline: [
          { at: 0, kind: 'line', data: { speaker: 'customer', label: 'abusive', text: '=1+2 you idiot' } },
          { at: 0, kind: 'line', data: { speaker: 'customer', label: 'neutral', text: '-2, or +3' } },
        ],
      },
    ]);
    const [, first, second] = csv.trim().split('\r\n');
    expect(first).toBe(
      `c1,e1,"'=HYPERLINK(""http://example.invalid"",""agent"")",'@SUM(1+1),1970-01-01T00:00:00.000Z,line,customer,abusive,,,,'=1+2 you idiot`,
    );
    expect(second?.endsWith(`,"'-2, or +3"`)).toBe(true);
  });
});
