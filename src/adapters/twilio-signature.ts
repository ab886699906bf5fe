import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignedParams = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Twilio's X-Twilio-Signature: HMAC-SHA1, keyed with the account's auth token, over the full URL
 * Twilio requested followed by every POST parameter's name and value, sorted by name (a repeated
 * name's values sorted too), base64. A GET request signs the URL alone (its query is in it).
 */
export function twilioSignature(authToken: string, url: string, params: SignedParams = {}): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    if (value === undefined) continue;
    for (const one of typeof value === 'string' ? [value] : [...value].sort()) data += name + one;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** The URL as Twilio may have signed it: with and without the scheme's default port (as Twilio's own SDKs accept). */
function urlVariants(url: string): string[] {
  const variants = new Set([url]);
  try {
    const parsed = new URL(url);
    const defaultPort = parsed.protocol === 'https:' ? '443' : parsed.protocol === 'http:' ? '80' : undefined;
    const withoutPort = new URL(url);
    withoutPort.port = '';
    variants.add(withoutPort.toString());
    if (defaultPort)
      variants.add(withoutPort.toString().replace(withoutPort.host, `${withoutPort.hostname}:${defaultPort}`));
  } catch {
    // Not a URL: only the string itself can match.
  }
  return [...variants];
}

export function isValidTwilioSignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: SignedParams = {},
): boolean {
  if (!signature) return false;
  const given = Buffer.from(signature);
  return urlVariants(url).some((candidate) => {
    const expected = Buffer.from(twilioSignature(authToken, candidate, params));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
