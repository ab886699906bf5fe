import type { Config } from './config-type.js';

/** A setting the service cannot start with; its message is the one line main.ts prints. */
export class SettingError extends Error {
  override name = 'SettingError';
}

/** The environment variable a setting is read from (`maxCalls`: MAX_CALLS). */
export const envName = (setting: string): string => setting.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase();

/** A value as it may be printed: a URL's password (DATABASE_URL, REDIS_URL) is masked. */
function printable(raw: string): string {
  if (!URL.canParse(raw)) return raw;
  const url = new URL(raw);
  if (url.password === '') return raw;
  url.password = '***';
  return url.href;
}

/** `NAME="value": must be …`, the shape of every start-up problem a setting causes. */
export const settingProblem = (setting: string, value: unknown, wanted: string): string =>
  `${envName(setting)}=${JSON.stringify(printable(String(value)))}: ${wanted}`;

/**
 * For a start-up step (listen, model load, record open) whose failure comes from one setting's
 * value: the failure as one line naming the variable, its value and what it must be.
 */
export function settingError(config: Config, setting: keyof Config, mustBe: string, cause: unknown): SettingError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SettingError(settingProblem(setting, config[setting], `must be ${mustBe} (${reason})`), { cause });
}
