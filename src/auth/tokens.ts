import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { Id } from '../protocol/common.js';
import { validator } from '../protocol/validator.js';
import { SettingError, settingProblem } from '../setting-problem.js';

const SCOPES = ['ingest', 'subscribe', 'supervise', 'review'] as const;
export type Scope = (typeof SCOPES)[number];

const TokenEntry = Type.Object(
  {
    token: Type.String({ minLength: 16, maxLength: 512 }),
    tenant: Type.String({ minLength: 1, maxLength: 128 }),
    scopes: Type.Array(Type.Union(SCOPES.map((s) => Type.Literal(s))), { minItems: 1 }),
    name: Type.Optional(Type.String({ maxLength: 128, description: 'For logs; the token itself is never logged.' })),
    agentId: Type.Optional(
      Id(
        "Binds an agent's token (the subscribe scope alone) to the agent: it sees and acts on that agent's calls only.",
      ),
    ),
  },
  { additionalProperties: false },
);
const TokenList = Type.Array(TokenEntry, { minItems: 1 });
export type TokenEntry = Static<typeof TokenEntry>;
const checkTokens = validator(TokenList);

export interface Principal {
  tenant: string;
  scopes: ReadonlySet<Scope>;
  name: string;
  /** The agent a token is bound to: it may follow and act on that agent's calls only. Unset: every call of the tenant. */
  agentId?: string;
}

/** Used when AUTH_TOKENS is unset, for local development only (main.ts logs a warning). */
export const DEV_TOKENS: TokenEntry[] = [
  { token: 'dev-ingest-token-change-me', tenant: 'dev', scopes: ['ingest'], name: 'dev-ingest' },
  { token: 'dev-subscribe-token-change-me', tenant: 'dev', scopes: ['subscribe'], name: 'dev-agent' },
  {
    token: 'dev-supervise-token-change-me',
    tenant: 'dev',
    scopes: ['subscribe', 'supervise', 'review'],
    name: 'dev-supervisor',
  },
];

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Parses AUTH_TOKENS: a JSON array of {token, tenant, scopes, name?, agentId?}, or the path of a file holding one. */
export function parseTokens(setting: string): TokenEntry[] {
  const trimmed = setting.trim();
  const fromFile = !/^[[{]/.test(trimmed);
  if (fromFile && !existsSync(trimmed))
    throw new SettingError(
      settingProblem(
        'authTokens',
        trimmed,
        'names no file; must be a JSON array of {token, tenant, scopes} or a path to such a file',
      ),
    );
  let raw: unknown;
  try {
    raw = JSON.parse(fromFile ? readFileSync(trimmed, 'utf8') : trimmed);
  } catch (err) {
    throw new Error(
      `AUTH_TOKENS: ${fromFile ? `file ${trimmed}` : 'value'} is not valid JSON (${(err as Error).message}); expected an array of {token, tenant, scopes} or a path to such a file`,
    );
  }
  const checked = checkTokens(raw);
  if (!checked.ok) throw new Error(`AUTH_TOKENS: ${checked.message}`);
  // The same token twice would belong to whichever entry came last: a tenant mix-up nobody would see.
  const first = new Map<string, number>();
  checked.value.forEach(({ token }, i) => {
    const earlier = first.get(token);
    if (earlier !== undefined) throw new Error(`AUTH_TOKENS: [${i}].token: the same token as [${earlier}]`);
    first.set(token, i);
  });
  // Binding limits what a token sees of calls, not what ingest, supervise or review allow: a bound token with those would promise more than it keeps.
  checked.value.forEach(({ agentId, scopes }, i) => {
    if (agentId !== undefined && scopes.some((scope) => scope !== 'subscribe'))
      throw new Error(
        `AUTH_TOKENS: [${i}].agentId: only a token whose one scope is subscribe can be bound to an agent`,
      );
  });
  return checked.value;
}

/** Looks tokens up by their SHA-256 digest, so a lookup's timing says nothing about the secret's characters. */
export class TokenStore {
  private readonly byDigest = new Map<string, Principal>();

  constructor(entries: TokenEntry[]) {
    for (const e of entries) {
      this.byDigest.set(digest(e.token), {
        tenant: e.tenant,
        scopes: new Set(e.scopes),
        name: e.name ?? `${e.tenant}:${e.scopes.join('+')}`,
        ...(e.agentId !== undefined ? { agentId: e.agentId } : {}),
      });
    }
  }

  lookup(token: string | undefined): Principal | undefined {
    return token ? this.byDigest.get(digest(token)) : undefined;
  }
}

/** The bearer token from the Authorization header, or the `token` query parameter for browsers. */
export function tokenOf(headers: Record<string, string | string[] | undefined>, query: unknown): string | undefined {
  const header = headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match) return match[1];
  }
  const fromQuery = (query as { token?: unknown } | undefined)?.token;
  return typeof fromQuery === 'string' ? fromQuery : undefined;
}

/** A request URL fit for logs: the value of a `token` query parameter is replaced, however its name is encoded. */
export function withoutToken(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const pairs = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals < 0 ? pair : pair.slice(0, equals);
      return equals >= 0 && decodedName(name) === 'token' ? `${name}=[redacted]` : pair;
    });
  return `${url.slice(0, at + 1)}${pairs.join('&')}`;
}

function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replaceAll('+', ' '));
  } catch {
    return name;
  }
}
