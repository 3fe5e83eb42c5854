/**
 * Lua scripts of the Redis journey store. Each touches the keys of one hash tag only (one person, one due
 * shard, or one journey), so every script is Redis Cluster safe; cross-tag steps are ordered so that a crash
 * between two of them leaves an instance due too early (harmless: the engine finds nothing due) — never lost.
 */

// Each step's rule for one instance is one Lua function, shared by the one-tag script (arguments from KEYS/ARGV)
// and its batched form (one call per item), so the two cannot drift apart.

// The entry rules in the order of the EntryPlan (the active instance, then re-entry; the cap is checked after
// these): nil when they allow the entry, else {0, reason, active instance id}. \`taken\`: the instance id is
// registered to another person (the same answer as an existing instance of that id).
const ENROL_CHECK = `
local function enrolCheck(inst, act, ent, journeyId, id, reentry, enteredBefore, taken)
  local a = redis.call('HGET', act, journeyId)
  if a then return {0, 'active', a} end
  if taken or redis.call('EXISTS', inst) == 1 then return {0, 'active', id} end
  local last = redis.call('HGET', ent, journeyId)
  if last then
    if reentry == 'never' then return {0, 'no_reentry', ''} end
    if reentry == 'cooldown' and tonumber(last) > tonumber(enteredBefore) then return {0, 'cooldown', ''} end
  end
  return nil
end
`;

// The instance's writes once the rules allowed it: {1, '', ''}.
const ENROL_WRITE = `
local function enrolWrite(inst, act, ent, all, journeyId, id, state, enteredAt, status)
  redis.call('HSET', inst, 's', state, 'x', status)
  redis.call('HSET', ent, journeyId, enteredAt)
  if status == 'active' then redis.call('HSET', act, journeyId, id) end
  redis.call('SADD', all, id)
  return {1, '', ''}
end
`;

// True when the journey's entry cap has room (entries before since, '-inf' = none, dropped first).
const CAP_ITEM = `
local function capRoom(cap, since, max)
  if since ~= '-inf' then redis.call('ZREMRANGEBYSCORE', cap, '-inf', '(' .. since) end
  return redis.call('ZCARD', cap) < tonumber(max)
end
`;

// {0}: gone; {2, lease end}: leased by another; {1, state, inbox}: leased to token until leaseUntil.
const CLAIM_ITEM = `
local function claimItem(inst, inbox, now, token, leaseUntil)
  local h = redis.call('HMGET', inst, 's', 't', 'l')
  if not h[1] then return {0} end
  if h[2] and tonumber(h[3]) > tonumber(now) then return {2, h[3]} end
  redis.call('HSET', inst, 't', token, 'l', leaseUntil)
  return {1, h[1], redis.call('LRANGE', inbox, 0, -1)}
end
`;

// Saves a completed step: nil when the lease is not the token's any more, else the next due time ('' = none).
const COMPLETE_ITEM = `
local function completeItem(inst, inbox, act, token, now, state, consumed, status, journeyId, id, wakeAt)
  local h = redis.call('HMGET', inst, 't', 'l')
  if h[1] ~= token or tonumber(h[2]) <= tonumber(now) then return nil end
  redis.call('HSET', inst, 's', state, 'x', status)
  redis.call('HDEL', inst, 't', 'l')
  local n = tonumber(consumed)
  if n > 0 then redis.call('LTRIM', inbox, n, -1) end
  if status ~= 'active' then
    redis.call('DEL', inbox)
    if redis.call('HGET', act, journeyId) == id then redis.call('HDEL', act, journeyId) end
    return ''
  end
  if redis.call('LLEN', inbox) > 0 then return now end
  return wakeAt
end
`;

// KEYS: instance hash, active hash, entered hash, all set. ARGV: journeyId, instanceId, state, enteredAt, reentry,
// enteredBefore, status, mode ('check': the rules only, nothing written), taken ('1': the id is another person's).
export const ENROL = `${ENROL_CHECK}${ENROL_WRITE}
local r = enrolCheck(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[5], ARGV[6], ARGV[9] == '1')
if r then return r end
if ARGV[8] == 'check' then return {1, '', ''} end
return enrolWrite(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[7])
`;

// KEYS: the instance registry (id → subject). ARGV: instanceId, subjectId. Registers the id to the person: 1 when
// this call did, 0 when it was theirs already, -1 when it is another person's.
export const REGISTER = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then return 1 end
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return 0 end
return -1
`;

// KEYS: cap zset of one journey. ARGV: since ('-inf' = ever), max, enteredAt, instanceId. 1: entry added; 0: no room;
// 2: the instance id has an entry already (an existing instance: nothing added, nothing for the caller to undo).
export const CAP = `${CAP_ITEM}
if redis.call('ZSCORE', KEYS[1], ARGV[4]) then return 2 end
if not capRoom(KEYS[1], ARGV[1], ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
return 1
`;

// KEYS: due zsets (shards). ARGV: now, limit, leaseUntil, then the members to claim (one shard). None: the first \`limit\`
// due of all the shards, in score then member byte order (lt: Lua's \`<\` on strings follows the server's locale),
// merged from each shard's first ones (read ⌈limit / shards⌉ at a time: those claimed leave the due range). Moves those
// still due to the lease end and answers them.
export const CLAIM_SHARD = `
local out, h, i, s = {}, {}, {}, {}
local function claim(k, x)
  local t = redis.call('ZSCORE', k, x)
  if t and tonumber(t) <= tonumber(ARGV[1]) then
    redis.call('ZADD', k, ARGV[3], x)
    out[#out + 1] = x
  end
end
local function lt(a, b)
  local j = 1
  while a:byte(j) == b:byte(j) and j <= #a do j = j + 1 end
  return (a:byte(j) or -1) < (b:byte(j) or -1)
end
local function read(k)
  h[k], i[k] = redis.call('ZRANGEBYSCORE', KEYS[k], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, math.ceil(ARGV[2] / #KEYS)), 1
  s[k] = tonumber(h[k][2])
end
for j = 4, #ARGV do claim(KEYS[1], ARGV[j]) end
if #ARGV > 3 then return out end
for k = 1, #KEYS do read(k) end
for _ = 1, ARGV[2] do
  local b
  for k = 1, #KEYS do
    if s[k] and (not b or s[k] < s[b] or s[k] == s[b] and lt(h[k][i[k]], h[b][i[b]])) then b = k end
  end
  if not b then break end
  claim(KEYS[b], h[b][i[b]])
  i[b] = i[b] + 2
  s[b] = tonumber(h[b][i[b] + 1])
  if not s[b] then read(b) end
end
return out
`;

// KEYS: instance hash, inbox list. ARGV: now, token, leaseUntil. 0: gone; 2: leased by another (until); 1: state + inbox.
export const CLAIM_ONE = `${CLAIM_ITEM}
return claimItem(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3])
`;

// KEYS: instance hash, inbox, active hash. ARGV: token, now, state, consumed, status, journeyId, instanceId, wakeAt ('' = none).
// Returns {1, due} ('' = not due again) or {0} when the lease is not ours any more.
export const COMPLETE = `${COMPLETE_ITEM}
local due = completeItem(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8])
if due == nil then return {0} end
return {1, due}
`;

// An input for an instance: filed once per input id, while the instance is active. 0 when not appended, else the
// instance's due time at most: \`now\`, or its lease end while claimed (its completion makes it due; a delivery never
// pulls a leased instance before its lease end).
const DELIVER_ITEM = `
local function deliverItem(inst, inbox, seen, inputId, body, now)
  local h = redis.call('HMGET', inst, 'x', 'l')
  if h[1] ~= 'active' then return 0 end
  if redis.call('SADD', seen, inputId) == 0 then return 0 end
  redis.call('RPUSH', inbox, body)
  return h[2] or now
end
`;

// KEYS: instance hash, inbox, seen set. ARGV: input id, input JSON, now. 0, or the due time at most (deliverItem).
export const DELIVER = `${DELIVER_ITEM}
return deliverItem(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3])
`;

// KEYS: instance hash, active hash, inbox. ARGV: now, state, status, journeyId, instanceId, wakeAt. Returns due ('' none),
// false (missing or leased), or {active id} when it would become a second active instance (nothing written).
export const REPLACE = `
local h = redis.call('HMGET', KEYS[1], 's', 't', 'l')
if not h[1] then return false end
if h[2] and tonumber(h[3]) > tonumber(ARGV[1]) then return false end
if ARGV[3] == 'active' then
  local a = redis.call('HGET', KEYS[2], ARGV[4])
  if a and a ~= ARGV[5] then return {a} end
end
redis.call('HSET', KEYS[1], 's', ARGV[2], 'x', ARGV[3])
redis.call('HDEL', KEYS[1], 't', 'l')
if ARGV[3] ~= 'active' then
  if redis.call('HGET', KEYS[2], ARGV[4]) == ARGV[5] then redis.call('HDEL', KEYS[2], ARGV[4]) end
  return ''
end
redis.call('HSET', KEYS[2], ARGV[4], ARGV[5])
if redis.call('LLEN', KEYS[3]) > 0 then return ARGV[1] end
return ARGV[6]
`;

// The batched forms below run on a standalone Redis only: one script touches many people's keys (all declared).
// Each item runs the one-tag function, then the follow-up the client sends apart on the one-tag path.

// KEYS per item: instance hash, inbox, due zset. ARGV: now, leaseUntil, then per item member and token.
// Per item claimItem's answer; a gone member is dropped from the due set, another's lease end put back.
export const CLAIM_MANY = `${CLAIM_ITEM}
local out = {}
for i = 1, #KEYS / 3 do
  local member, due = ARGV[2 * i + 1], KEYS[3 * i]
  local r = claimItem(KEYS[3 * i - 2], KEYS[3 * i - 1], ARGV[1], ARGV[2 * i + 2], ARGV[2])
  if r[1] == 0 then redis.call('ZREM', due, member) elseif r[1] == 2 then redis.call('ZADD', due, 'XX', r[2], member) end
  out[i] = r
end
return out
`;

// KEYS per item: instance hash, inbox, active hash, due zset. ARGV per item: token, now, state, consumed, status,
// journeyId, instanceId, wakeAt ('' = none), member. Per item 1 when saved and rescheduled, 0 when the lease was lost.
export const COMPLETE_MANY = `${COMPLETE_ITEM}
local out = {}
for i = 0, #KEYS / 4 - 1 do
  local k, a = 4 * i, 9 * i
  local due = completeItem(KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6], ARGV[a + 7], ARGV[a + 8])
  if due == nil then
    out[i + 1] = 0
  else
    if due == '' then redis.call('ZREM', KEYS[k + 4], ARGV[a + 9]) else redis.call('ZADD', KEYS[k + 4], due, ARGV[a + 9]) end
    out[i + 1] = 1
  end
end
return out
`;

// KEYS per item: instance hash, inbox, seen set, due zset. ARGV per item: input id, input JSON, now, due member.
// Per item deliverItem's answer; when appended, the due time lowered to it (never raised).
export const DELIVER_MANY = `${DELIVER_ITEM}
local out = {}
for i = 0, #KEYS / 4 - 1 do
  local k = 4 * i
  out[i + 1] = deliverItem(KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], ARGV[k + 1], ARGV[k + 2], ARGV[k + 3])
  if out[i + 1] ~= 0 then redis.call('ZADD', KEYS[k + 4], 'LT', out[i + 1], ARGV[k + 4]) end
end
return out
`;

// KEYS per item: instance hash, active hash, entered hash, all set, due zset, cap zset, subjects hash, journey index
// set. ARGV per item: journeyId, instanceId, state, enteredAt, reentry, enteredBefore, status, due member, wakeAt
// ('' = not scheduled), cap since ('' = no cap, '-inf' = ever), cap max, subjectId. Per item what the one-tag path
// answers ({1, '', ''} or {0, reason, active id}): the rules (an id registered to another person counts as an existing
// instance), then the cap; the due time, cap entry and registries written only when enrolled.
export const ENROL_MANY = `${CAP_ITEM}${ENROL_CHECK}${ENROL_WRITE}
local function one(k, a)
  local owner = redis.call('HGET', KEYS[k + 7], ARGV[a + 2])
  local refused = enrolCheck(KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], ARGV[a + 1], ARGV[a + 2], ARGV[a + 5], ARGV[a + 6], owner and owner ~= ARGV[a + 12])
  if refused then return refused end
  if ARGV[a + 10] ~= '' then
    if redis.call('ZSCORE', KEYS[k + 6], ARGV[a + 2]) then return {0, 'active', ARGV[a + 2]} end
    if not capRoom(KEYS[k + 6], ARGV[a + 10], ARGV[a + 11]) then return {0, 'cap', ''} end
  end
  local r = enrolWrite(KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 7])
  if ARGV[a + 9] ~= '' then redis.call('ZADD', KEYS[k + 5], 'NX', ARGV[a + 9], ARGV[a + 8]) end
  if ARGV[a + 10] ~= '' then redis.call('ZADD', KEYS[k + 6], ARGV[a + 4], ARGV[a + 2]) end
  redis.call('HSET', KEYS[k + 7], ARGV[a + 2], ARGV[a + 12])
  redis.call('SADD', KEYS[k + 8], ARGV[a + 2])
  return r
end
local out = {}
for i = 0, #KEYS / 8 - 1 do out[i + 1] = one(8 * i, 12 * i) end
return out
`;
