/**
 * Server-side halves of the Redis contact-history store. Members of the contact and response sorted sets start
 * with a header of the fields capping matches on (separated by \31, lists wrapped in \30), then the record's
 * JSON; ids, channels and tags cannot contain control characters, so the separators are unambiguous.
 *
 * Contact member:  id \31 channel \31 campaign \31 offer \31 tx(0|1) \31 \30tag\30…\30 \31 json
 * Response member: id \31 channel \31 campaign \31 offer \31 kind \31 \30tag\30…\30 \31 json
 */

/** Parses the header, counts every rule's window in one pass, records the contact when no rule is full. */
export const RESERVE_LUA = `
local c, r, o = KEYS[1], KEYS[2], KEYS[3]
local now = tonumber(ARGV[1])
local key = ARGV[2]
if key ~= '' then
  local prior = redis.call('HGET', o, key)
  if prior then return {2, prior} end
end
local retention = tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', c, '-inf', '(' .. string.format('%.0f', now - retention))
local n = tonumber(ARGV[10])
local find = string.find
local rules = {}
local hasContactRule, hasResponseRule = false, false
local STATIC = '^([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)$'
for i = 1, n do
  local b = 10 + (i - 1) * 5
  local kind, ch, ca, of, tagList, per, tx, kinds = string.match(ARGV[b + 1], STATIC)
  local tags = {}
  for t in string.gmatch(tagList, '[^\\30]+') do tags[#tags + 1] = '\\30' .. t .. '\\30' end
  local rule = { kind = kind, lb = tonumber(ARGV[b + 2]), ub = tonumber(ARGV[b + 3]), limit = tonumber(ARGV[b + 4]),
    ch = ch, ca = ca, of = of, tags = tags, ntags = #tags, per = per, pv = ARGV[b + 5], tx = tx, kinds = kinds, n = 0 }
  rules[i] = rule
  if kind == 'C' then hasResponseRule = true else hasContactRule = true end
end
-- chk/cak/ofk are the record's channel, campaign and offer wrapped in separators (built once per record, not per rule).
local function inScope(rule, ch, ca, of, chk, cak, ofk, tags)
  if rule.ch ~= '' and not find(rule.ch, chk, 1, true) then return false end
  if rule.ca ~= '' and (ca == '' or not find(rule.ca, cak, 1, true)) then return false end
  if rule.of ~= '' and (of == '' or not find(rule.of, ofk, 1, true)) then return false end
  if rule.ntags > 0 then
    local any = false
    for k = 1, rule.ntags do
      if find(tags, rule.tags[k], 1, true) then any = true break end
    end
    if not any then return false end
  end
  if rule.per == 'ch' then return ch == rule.pv end
  if rule.per == 'ca' then return ca == rule.pv end
  if rule.per == 'of' then return of == rule.pv end
  return true
end
local HEADER = '^([^\\31]*\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31)'
local contacts, responses = nil, nil
-- Counting stops at the first full rule: the refusal is certain, and the client explains it from the snapshot.
local blocked = ARGV[7] == '1'
for i = 1, n do
  if rules[i].limit <= 0 then blocked = true end
end
if hasContactRule and not blocked then
  contacts = redis.call('ZRANGEBYSCORE', c, ARGV[8], '+inf', 'WITHSCORES')
  for j = 1, #contacts, 2 do
    local at = tonumber(contacts[j + 1])
    local head, ch, ca, of, tx, tags = string.match(contacts[j], HEADER)
    contacts[j] = head
    local chk, cak, ofk = nil, nil, nil
    for i = 1, n do
      local rule = rules[i]
      if rule.kind ~= 'C' and at >= rule.lb and at < rule.ub and (tx == '0' or rule.tx == '1') then
        -- Wrapped values are built on first need: most rules test one field or none.
        if rule.ch ~= '' and chk == nil then chk = '\\30' .. ch .. '\\30' end
        if rule.ca ~= '' and cak == nil then cak = '\\30' .. ca .. '\\30' end
        if rule.of ~= '' and ofk == nil then ofk = '\\30' .. of .. '\\30' end
        if inScope(rule, ch, ca, of, chk, cak, ofk, tags) then
          rule.n = rule.n + 1
          if rule.n >= rule.limit then blocked = true break end
        end
      end
    end
    if blocked then break end
  end
end
if hasResponseRule and not blocked then
  responses = redis.call('ZRANGEBYSCORE', r, ARGV[9], '+inf', 'WITHSCORES')
  for j = 1, #responses, 2 do
    local at = tonumber(responses[j + 1])
    local head, ch, ca, of, kind, tags = string.match(responses[j], HEADER)
    responses[j] = head
    local chk, cak, ofk, kindk = '\\30' .. ch .. '\\30', '\\30' .. ca .. '\\30', '\\30' .. of .. '\\30', '\\30' .. kind .. '\\30'
    for i = 1, n do
      local rule = rules[i]
      if rule.kind == 'C' and at >= rule.lb and find(rule.kinds, kindk, 1, true) and inScope(rule, ch, ca, of, chk, cak, ofk, tags) then
        rule.n = rule.n + 1
        blocked = true
        break
      end
    end
    if blocked then break end
  end
end
if blocked then
  -- The client explains the refusal from the snapshot (headers where already parsed; it reads only those).
  if contacts == nil then contacts = redis.call('ZRANGEBYSCORE', c, ARGV[8], '+inf', 'WITHSCORES') end
  if responses == nil then responses = redis.call('ZRANGEBYSCORE', r, ARGV[9], '+inf', 'WITHSCORES') end
  return {0, contacts, responses}
end
redis.call('ZADD', c, ARGV[4], ARGV[3])
redis.call('PEXPIRE', c, retention)
if key ~= '' then
  redis.call('HSET', o, key, ARGV[6])
  redis.call('PEXPIRE', o, retention)
end
return {1}
`;

/** Records a contact unless its idempotency key (or the identical member) is already there. */
export const RECORD_LUA = `
local c, o = KEYS[1], KEYS[2]
local key = ARGV[1]
if key ~= '' then
  local prior = redis.call('HGET', o, key)
  if prior then return {0, prior} end
end
local added = redis.call('ZADD', c, ARGV[3], ARGV[2])
redis.call('PEXPIRE', c, ARGV[4])
if key ~= '' then
  redis.call('HSET', o, key, ARGV[5])
  redis.call('PEXPIRE', o, ARGV[4])
end
return {added}
`;

/** Stores a refusal under its idempotency key unless another caller stored an outcome first. */
export const STORE_OUTCOME_LUA = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return false
end
return redis.call('HGET', KEYS[1], ARGV[1])
`;
