/**
 * Lua scripts of the Redis journey store. Each touches the keys of one hash tag only (one person, one due
 * shard, or one journey), so every script is Redis Cluster safe; cross-tag steps are ordered so that a crash
 * between two of them leaves an instance due too early (harmless: the engine finds nothing due) — never lost.
 */

// KEYS: instance hash, active hash, entered hash, all set. ARGV: journeyId, instanceId, state, enteredAt, reentry, enteredBefore, status.
export const ENROL = `
if redis.call('EXISTS', KEYS[1]) == 1 then return {0, 'active', ARGV[2]} end
local a = redis.call('HGET', KEYS[2], ARGV[1])
if a then return {0, 'active', a} end
local last = redis.call('HGET', KEYS[3], ARGV[1])
if last then
  if ARGV[5] == 'never' then return {0, 'no_reentry', ''} end
  if ARGV[5] == 'cooldown' and tonumber(last) > tonumber(ARGV[6]) then return {0, 'cooldown', ''} end
end
redis.call('HSET', KEYS[1], 's', ARGV[3], 'x', ARGV[7])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
if ARGV[7] == 'active' then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
redis.call('SADD', KEYS[4], ARGV[2])
return {1, '', ''}
`;

// KEYS: cap zset of one journey. ARGV: since ('-inf' = ever), max, enteredAt, instanceId.
export const CAP = `
if ARGV[1] ~= '-inf' then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1]) end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
return 1
`;

// KEYS: due zset (one shard). ARGV: now, limit, leaseUntil. Moves the due members' score to the lease end.
export const CLAIM_SHARD = `
local m = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for i = 1, #m do redis.call('ZADD', KEYS[1], ARGV[3], m[i]) end
return m
`;

// KEYS: instance hash, inbox list. ARGV: now, token, leaseUntil. 0: gone; 2: leased by another (until); 1: state + inbox.
export const CLAIM_ONE = `
local h = redis.call('HMGET', KEYS[1], 's', 't', 'l')
if not h[1] then return {0} end
if h[2] and tonumber(h[3]) > tonumber(ARGV[1]) then return {2, h[3]} end
redis.call('HSET', KEYS[1], 't', ARGV[2], 'l', ARGV[3])
return {1, h[1], redis.call('LRANGE', KEYS[2], 0, -1)}
`;

// KEYS: instance hash, inbox, active hash. ARGV: token, now, state, consumed, status, journeyId, instanceId, wakeAt ('' = none).
// Returns {1, due} ('' = not due again) or {0} when the lease is not ours any more.
export const COMPLETE = `
local h = redis.call('HMGET', KEYS[1], 't', 'l')
if h[1] ~= ARGV[1] or tonumber(h[2]) <= tonumber(ARGV[2]) then return {0} end
redis.call('HSET', KEYS[1], 's', ARGV[3], 'x', ARGV[5])
redis.call('HDEL', KEYS[1], 't', 'l')
local n = tonumber(ARGV[4])
if n > 0 then redis.call('LTRIM', KEYS[2], n, -1) end
if ARGV[5] ~= 'active' then
  redis.call('DEL', KEYS[2])
  if redis.call('HGET', KEYS[3], ARGV[6]) == ARGV[7] then redis.call('HDEL', KEYS[3], ARGV[6]) end
  return {1, ''}
end
if redis.call('LLEN', KEYS[2]) > 0 then return {1, ARGV[2]} end
return {1, ARGV[8]}
`;

// KEYS: instance hash, inbox, seen set. ARGV: input id, input JSON. 1 when appended.
export const DELIVER = `
if redis.call('HGET', KEYS[1], 'x') ~= 'active' then return 0 end
if redis.call('SADD', KEYS[3], ARGV[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[2])
return 1
`;

// KEYS: instance hash, active hash, inbox. ARGV: now, state, status, journeyId, instanceId, wakeAt. Returns due ('' none) or false.
export const REPLACE = `
local h = redis.call('HMGET', KEYS[1], 's', 't', 'l')
if not h[1] then return false end
if h[2] and tonumber(h[3]) > tonumber(ARGV[1]) then return false end
redis.call('HSET', KEYS[1], 's', ARGV[2], 'x', ARGV[3])
redis.call('HDEL', KEYS[1], 't', 'l')
if ARGV[3] ~= 'active' then
  if redis.call('HGET', KEYS[2], ARGV[4]) == ARGV[5] then redis.call('HDEL', KEYS[2], ARGV[4]) end
  return ''
end
if redis.call('LLEN', KEYS[3]) > 0 then return ARGV[1] end
return ARGV[6]
`;

// The batched forms below run on a standalone Redis only: one script touches many people's keys (all declared).
// Each item does exactly what CLAIM_ONE (with the due shard's follow-up) or COMPLETE (with `schedule`) does.

// KEYS: due zset, then per item its instance hash and inbox. ARGV: now, leaseUntil, then per item member and token.
// Per item {0} gone (member dropped), {2} leased by another (lease end put back), {1, state, inbox}.
export const CLAIM_MANY = `
local now = tonumber(ARGV[1])
local out = {}
for i = 1, (#KEYS - 1) / 2 do
  local member = ARGV[2 * i + 1]
  local h = redis.call('HMGET', KEYS[2 * i], 's', 't', 'l')
  if not h[1] then
    redis.call('ZREM', KEYS[1], member)
    out[i] = {0}
  elseif h[2] and tonumber(h[3]) > now then
    redis.call('ZADD', KEYS[1], 'XX', h[3], member)
    out[i] = {2}
  else
    redis.call('HSET', KEYS[2 * i], 't', ARGV[2 * i + 2], 'l', ARGV[2])
    out[i] = {1, h[1], redis.call('LRANGE', KEYS[2 * i + 1], 0, -1)}
  end
end
return out
`;

// KEYS per item: instance hash, inbox, active hash, due zset. ARGV per item: token, now, state, consumed, status,
// journeyId, instanceId, wakeAt ('' = none), member. Per item 1 when saved and rescheduled, 0 when the lease was lost.
export const COMPLETE_MANY = `
local out = {}
for i = 0, #KEYS / 4 - 1 do
  local k, a = 4 * i, 9 * i
  local h = redis.call('HMGET', KEYS[k + 1], 't', 'l')
  if h[1] ~= ARGV[a + 1] or tonumber(h[2]) <= tonumber(ARGV[a + 2]) then
    out[i + 1] = 0
  else
    redis.call('HSET', KEYS[k + 1], 's', ARGV[a + 3], 'x', ARGV[a + 5])
    redis.call('HDEL', KEYS[k + 1], 't', 'l')
    local n = tonumber(ARGV[a + 4])
    if n > 0 then redis.call('LTRIM', KEYS[k + 2], n, -1) end
    local due = ARGV[a + 8]
    if ARGV[a + 5] ~= 'active' then
      redis.call('DEL', KEYS[k + 2])
      if redis.call('HGET', KEYS[k + 3], ARGV[a + 6]) == ARGV[a + 7] then redis.call('HDEL', KEYS[k + 3], ARGV[a + 6]) end
      due = ''
    elseif redis.call('LLEN', KEYS[k + 2]) > 0 then
      due = ARGV[a + 2]
    end
    if due == '' then redis.call('ZREM', KEYS[k + 4], ARGV[a + 9]) else redis.call('ZADD', KEYS[k + 4], due, ARGV[a + 9]) end
    out[i + 1] = 1
  end
end
return out
`;

// KEYS per item: instance hash, active hash, entered hash, all set, due zset, cap zset, subjects hash, journey index
// set. ARGV per item: journeyId, instanceId, state, enteredAt, reentry, enteredBefore, status, due member, wakeAt
// ('' = not scheduled), cap since ('' = no cap, '-inf' = ever), cap max, subjectId. Per item what CAP then ENROL
// answer ({1, '', ''} or {0, reason, active id}); the writes (due time, cap entry, instance, registries) only when
// enrolled.
export const ENROL_MANY = `
local function one(k, a)
  if ARGV[a + 10] ~= '' then
    if ARGV[a + 10] ~= '-inf' then redis.call('ZREMRANGEBYSCORE', KEYS[k + 6], '-inf', '(' .. ARGV[a + 10]) end
    if redis.call('ZCARD', KEYS[k + 6]) >= tonumber(ARGV[a + 11]) then return {0, 'cap', ''} end
  end
  if redis.call('EXISTS', KEYS[k + 1]) == 1 then return {0, 'active', ARGV[a + 2]} end
  local active = redis.call('HGET', KEYS[k + 2], ARGV[a + 1])
  if active then return {0, 'active', active} end
  local last = redis.call('HGET', KEYS[k + 3], ARGV[a + 1])
  if last then
    if ARGV[a + 5] == 'never' then return {0, 'no_reentry', ''} end
    if ARGV[a + 5] == 'cooldown' and tonumber(last) > tonumber(ARGV[a + 6]) then return {0, 'cooldown', ''} end
  end
  if ARGV[a + 9] ~= '' then redis.call('ZADD', KEYS[k + 5], 'NX', ARGV[a + 9], ARGV[a + 8]) end
  if ARGV[a + 10] ~= '' then redis.call('ZADD', KEYS[k + 6], ARGV[a + 4], ARGV[a + 2]) end
  redis.call('HSET', KEYS[k + 1], 's', ARGV[a + 3], 'x', ARGV[a + 7])
  redis.call('HSET', KEYS[k + 3], ARGV[a + 1], ARGV[a + 4])
  if ARGV[a + 7] == 'active' then redis.call('HSET', KEYS[k + 2], ARGV[a + 1], ARGV[a + 2]) end
  redis.call('SADD', KEYS[k + 4], ARGV[a + 2])
  redis.call('HSET', KEYS[k + 7], ARGV[a + 2], ARGV[a + 12])
  redis.call('SADD', KEYS[k + 8], ARGV[a + 2])
  return {1, '', ''}
end
local out = {}
for i = 0, #KEYS / 8 - 1 do out[i + 1] = one(8 * i, 12 * i) end
return out
`;
