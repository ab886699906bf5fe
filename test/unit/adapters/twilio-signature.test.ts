import { describe, expect, it } from 'vitest';
import { isValidTwilioSignature, twilioSignature } from '../../../src/adapters/twilio-signature.js';

/** The vector of Twilio's own SDK tests (twilio-python tests/unit/test_request_validator.py; fixtures/providers/README.md). */
const TOKEN = '12345';
const URL_SIGNED = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS = {
  CallSid: 'CA1234567890ABCDE',
  Digits: '1234',
  From: '+14158675309',
  To: '+18005551212',
  Caller: '+14158675309',
};

describe('twilioSignature', () => {
  it("matches Twilio's published vector", () => {
    expect(twilioSignature(TOKEN, URL_SIGNED, PARAMS)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  it("sorts a repeated parameter's values, as Twilio's SDK does", () => {
    expect(twilioSignature(TOKEN, URL_SIGNED, { Sid: 'CA123', SidAccount: 'AC123', Digits: ['5678', '1234'] })).toBe(
      'IK+Dwps556ElfBT0I3Rgjkr1wJU=',
    );
  });

  it('validates with or without the default port, and refuses a changed parameter', () => {
    expect(isValidTwilioSignature(TOKEN, 'kvajT1Ptam85bY51eRf/AJRuM3w=', URL_SIGNED, PARAMS)).toBe(true);
    expect(
      isValidTwilioSignature(TOKEN, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', URL_SIGNED.replace('.com', '.com:443'), PARAMS),
    ).toBe(true);
    expect(
      isValidTwilioSignature(TOKEN, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', URL_SIGNED, { ...PARAMS, Digits: '9999' }),
    ).toBe(false);
    expect(isValidTwilioSignature(TOKEN, undefined, URL_SIGNED, PARAMS)).toBe(false);
  });
});
