import type { Redis } from 'ioredis';

// Every fenced script takes the lease key as KEYS[1] and the writer's `token:holder` as ARGV[1],
// and refuses to write unless the lease is still exactly that one.
const FENCE = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('FENCED the call lease is no longer held by this writer') end\n`;

// Envelopes are built here from JSON the caller already serialised: {"info":…,"event":…}, and
// published on each of the call's channels (callChannels: space-separated, in a fixed order). The
// copies of one event are adjacent on every subscribed connection, since a script runs alone.
const ANNOUNCE = `local function envelope(info, event) return '{"info":' .. info .. ',"event":' .. event .. '}' end
local function publish(channels, message)
  for channel in string.gmatch(channels, '%S+') do redis.call('PUBLISH', channel, message) end
end
`;

const SCRIPTS = {
  /** KEYS lease, fence; ARGV holder, ttlMs → the token, or nil when another holds the lease. */
  acquireLease: {
    keys: 2,
    lua: `
local current = redis.call('GET', KEYS[1])
if current then
  local sep = string.find(current, ':', 1, true)
  if string.sub(current, sep + 1) ~= ARGV[1] then return false end
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return tonumber(string.sub(current, 1, sep - 1))
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token .. ':' .. ARGV[1], 'PX', ARGV[2])
return token`,
  },
  /** KEYS lease; ARGV token:holder, ttlMs → 1 renewed, 0 lost. */
  renewLease: {
    keys: 1,
    lua: `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])`,
  },
  /** KEYS lease; ARGV token:holder. */
  releaseLease: {
    keys: 1,
    lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`,
  },
  /** KEYS meta; ARGV fresh epoch → {epoch, lastSeq}, creating the numbering if the call has none. */
  numbering: {
    keys: 1,
    lua: `redis.call('HSETNX', KEYS[1], 'epoch', ARGV[1])
redis.call('HSETNX', KEYS[1], 'lastSeq', 0)
return redis.call('HMGET', KEYS[1], 'epoch', 'lastSeq')`,
  },
  /**
   * KEYS lease, meta, cues, calls; ARGV token:holder, channels, maxCues, ladder, callId, entry, info,
   * then pairs of (seq, cue) → the last seq. Cues must continue the log's numbering.
   */
  commitTransition: {
    keys: 4,
    lua:
      FENCE +
      ANNOUNCE +
      `
local last = tonumber(redis.call('HGET', KEYS[2], 'lastSeq') or '0')
if ARGV[8] and tonumber(ARGV[8]) <= last then
  -- A client resending a commit Redis already applied (the reply was lost to a reconnect): done.
  local held = redis.call('XRANGE', KEYS[3], ARGV[8] .. '-0', ARGV[8] .. '-0')[1]
  if held and held[2][2] == ARGV[9] then return last end
end
for i = 8, #ARGV, 2 do
  if tonumber(ARGV[i]) ~= last + 1 + (i - 8) / 2 then
    return redis.error_reply('SEQ cue ' .. ARGV[i] .. ' does not follow ' .. last)
  end
end
for i = 8, #ARGV, 2 do
  redis.call('XADD', KEYS[3], 'MAXLEN', ARGV[3], ARGV[i] .. '-0', 'cue', ARGV[i + 1])
  publish(ARGV[2], envelope(ARGV[7], '{"type":"cue","cue":' .. ARGV[i + 1] .. '}'))
  last = tonumber(ARGV[i])
end
redis.call('HSET', KEYS[2], 'lastSeq', last, 'ladder', ARGV[4])
redis.call('HSET', KEYS[4], ARGV[5], ARGV[6])
return last`,
  },
  /** KEYS lease, meta; ARGV token:holder, epoch, lastSeq, ladder. */
  restoreCall: {
    keys: 2,
    lua:
      FENCE +
      `redis.call('HSET', KEYS[2], 'epoch', ARGV[2], 'lastSeq', ARGV[3], 'ladder', ARGV[4])
return 0`,
  },
  /** KEYS lease, lines; ARGV token:holder, channels, maxLines, segmentId or '' (not final), line, info. */
  appendLine: {
    keys: 2,
    lua:
      FENCE +
      ANNOUNCE +
      `
if ARGV[4] ~= '' then
  local last = redis.call('LINDEX', KEYS[2], -1)
  if last and cjson.decode(last).segmentId == ARGV[4] then redis.call('RPOP', KEYS[2]) end
  redis.call('RPUSH', KEYS[2], ARGV[5])
  redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
end
publish(ARGV[2], envelope(ARGV[6], ARGV[5]))
return 0`,
  },
  /** KEYS lease, calls; ARGV token:holder, channels, callId, entry or '' (unchanged), info, event or ''. */
  updateCall: {
    keys: 2,
    lua:
      FENCE +
      ANNOUNCE +
      `
if ARGV[4] ~= '' then redis.call('HSET', KEYS[2], ARGV[3], ARGV[4]) end
if ARGV[6] ~= '' then publish(ARGV[2], envelope(ARGV[5], ARGV[6])) end
return 0`,
  },
  /** KEYS claims; ARGV seq, claim, channels, info → {1 if this claim is new, the claim that stands (JSON)}. */
  claimAlert: {
    keys: 1,
    lua:
      ANNOUNCE +
      `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  publish(ARGV[3], envelope(ARGV[4], ARGV[2]))
  return {1, ARGV[2]}
end
return {0, redis.call('HGET', KEYS[1], ARGV[1])}`,
  },
  /**
   * KEYS calls, lease, acks; ARGV callId, ack (JSON), its epoch or '' (any), inbox channel prefix,
   * call ref (JSON) → 1 kept, 0 no live call, or the live call's epoch when the ack names another.
   * The lease's holder, if any, is told on its inbox channel.
   */
  postAck: {
    keys: 3,
    lua: `
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if not entry then return 0 end
local summary = cjson.decode(entry).summary
if summary.ended then return 0 end
if ARGV[3] ~= '' and summary.epoch ~= ARGV[3] then return summary.epoch end
redis.call('RPUSH', KEYS[3], ARGV[2])
local lease = redis.call('GET', KEYS[2])
if lease then
  redis.call('PUBLISH', ARGV[4] .. string.sub(lease, string.find(lease, ':', 1, true) + 1), ARGV[5])
end
return 1`,
  },
  /** KEYS lease, meta; ARGV token:holder. */
  markSignedWebhooksOnly: {
    keys: 2,
    lua:
      FENCE +
      `redis.call('HSET', KEYS[2], 'signedWebhooksOnly', 1)
return 0`,
  },
  /** KEYS calls, meta; ARGV callId → 1 when the call is live and signed webhooks feed it, else 0. */
  signedWebhooksOnly: {
    keys: 2,
    lua: `
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if not entry or cjson.decode(entry).summary.ended then return 0 end
if redis.call('HGET', KEYS[2], 'signedWebhooksOnly') then return 1 end
return 0`,
  },
  /** KEYS lease, acks; ARGV token:holder → the acks waiting (JSON), oldest first (and none are left). */
  takeAcks: {
    keys: 2,
    lua:
      FENCE +
      `local acks = redis.call('LRANGE', KEYS[2], 0, -1)
redis.call('DEL', KEYS[2])
return acks`,
  },
} as const;

type ScriptName = keyof typeof SCRIPTS;
export type RunScript = (
  name: ScriptName,
  keys: readonly string[],
  args: readonly (string | number)[],
) => Promise<unknown>;

/** Loads the scripts on the connection (ioredis sends EVALSHA, and the script itself once after a Redis restart). */
export function defineScripts(redis: Redis): RunScript {
  for (const [name, { keys, lua }] of Object.entries(SCRIPTS)) redis.defineCommand(name, { numberOfKeys: keys, lua });
  const commands = redis as unknown as Record<ScriptName, (...args: (string | number)[]) => Promise<unknown>>;
  return (name, keys, args) => commands[name](...keys, ...args);
}

/** A script refused a write because the lease is no longer the writer's. */
export const isFenced = (error: unknown): boolean => error instanceof Error && error.message.startsWith('FENCED');

/** A script refused cues that do not continue the log's numbering. */
export const isOutOfSequence = (error: unknown): boolean => error instanceof Error && error.message.startsWith('SEQ');
