/**
 * Server-side halves of the Redis contact-history store. Members of the contact and response sorted sets start
 * with a header of the fields capping matches on (separated by \31, lists wrapped in \30), then the record's
 * JSON; ids, channels and tags cannot contain control characters, so the separators are unambiguous.
 *
 * Contact member:  id \31 channel \31 campaign \31 offer \31 tx(0|1) \31 \30tag\30…\30 \31 json
 * Response member: id \31 channel \31 campaign \31 offer \31 kind \31 \30tag\30…\30 \31 json
 * A contact is its id and `at`: one already filed with the same id at the same score is kept (its JSON may differ,
 * e.g. by idempotency key), never filed twice. An outcome kept under an idempotency key is forgotten (deleted on
 * sight) once its contact is older than the call's cut-off, as the contact is.
 *
 * Counting index: each contact is also filed, with its `at` as score, in one sorted set per scope it belongs to
 * (`<prefix>:{subject}:ix:<flag><atom>`), so a rule's window count is one ZCOUNT instead of a scan of the history.
 *   flag  `n` (ordinary) or `t` (transactional): rules that do not count transactional contacts read `n` only
 *   atom  `*` | `c:`channel | `C:`campaign | `o:`offer | `t:`tag | `x:`channel\30tag
 * Members are the first 16 hex digits of the SHA-1 of the contact member (one contact, one id under all its
 * atoms, so overlapping atoms can be counted as a union), except in `*`, where they are the contact's counted
 * fields — at \31 channel \31 campaign \31 offer \31 tx \31 tags \31 id — the compact snapshot a refusal is
 * explained from. Atoms are derived from a member's header here only (`atomsOf`); the client names the atoms a
 * rule reads. The set `<prefix>:{subject}:ix` lists every atom ever filed, for prune and erase. Contacts and
 * responses are trimmed to retention by every reservation; an index key when a reservation writes to it (not when
 * contacts age out: that would parse every removed member), so it may hold entries older than `now − retention`:
 * reservations never read below that cut-off.
 * Index keys expire after retention like the contacts.
 */

// The helpers every script shares (their notes live here, outside the Lua text, which ships in the bundle):
// - atomsOf(member, out, seen): appends the atoms of a contact member to out (deduplicated through seen), the
//   all-contacts atom first.
// - forSubject(contacts): index keys sit beside the contacts key (KEYS[1] carries any client-side key prefix); a
//   batched script moves them to each item's subject.
// - grantedOutcome(member, now): the outcome kept under a granted contact's idempotency key, built from the
//   member's JSON (the client does not send the contact twice): the text of
//   JSON.stringify({ granted: true, decision: { allowed, reasons: [], nextAllowedAt }, contact, replayed: false }).
// - keptOutcome(o, key, cutoff, c): the outcome under key ('' = none), forgotten (deleted) once its contact is older
//   than cutoff or, for a grant, no longer in the contacts c (a reservation trimmed it, perhaps one with a later
//   `now`), as the contact is: a retry after the retention is a new reservation.
// - forgetRefusals(o, cutoff): deletes the refusals kept under keys whose contact is older than cutoff (a reservation's
//   trim forgets them as it forgets contacts, as the memory store does; a retry with an earlier `now` is then a new
//   reservation); the field \31old holds the earliest refused contact's `at`, so a reservation reads one field unless
//   a refusal has aged out.
// reserveItem first drops the subject's contacts and responses older than its cut-off (granted or not, as the memory
// store does, so no history lists them afterwards); it reads rules one at a time, so a refusal stops at the first
// full one without parsing the rest.
// - sameContact(c, at, member): the member already filed with this member's id at its instant (the same contact,
//   whatever else differs: never filed twice), else this member.
// - indexContact(member, at, retention, cutoff): files a contact (already in the contacts set) under its atoms,
//   trimming each written key to the cut-off (nil: no trim).
const ATOMS_LUA = `
local ATOM_HEADER = '^[^\\31]*\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31'
local function atomsOf(member, out, seen)
  local ch, ca, of, tx, tags = string.match(member, ATOM_HEADER)
  local f = tx == '1' and 't' or 'n'
  local function add(a)
    if not seen[a] then seen[a] = true out[#out + 1] = a end
  end
  add(f .. '*')
  add(f .. 'c:' .. ch)
  if ca ~= '' then add(f .. 'C:' .. ca) end
  if of ~= '' then add(f .. 'o:' .. of) end
  for t in string.gmatch(tags, '[^\\30]+') do
    add(f .. 't:' .. t)
    add(f .. 'x:' .. ch .. '\\30' .. t)
  end
  return ch, ca, of, tx, tags
end
local base, registry
local function forSubject(contacts)
  base = string.sub(contacts, 1, -9) .. 'ix:'
  registry = string.sub(contacts, 1, -9) .. 'ix'
end
forSubject(KEYS[1])
local function grantedOutcome(member, now)
  local j = string.match(member, '^[^\\31]*\\31[^\\31]*\\31[^\\31]*\\31[^\\31]*\\31[^\\31]*\\31[^\\31]*\\31()')
  return '{"granted":true,"decision":{"allowed":true,"reasons":[],"nextAllowedAt":' .. now .. '},"contact":' .. string.sub(member, j) .. ',"replayed":false}'
end
local function sameContact(c, at, member)
  local id = string.match(member, '^[^\\31]*\\31')
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', c, at, at)) do
    if string.sub(m, 1, #id) == id then return m end
  end
  return member
end
local function keptOutcome(o, key, cutoff, c)
  local prior = key ~= '' and redis.call('HGET', o, key)
  if not prior then return false end
  local p = cjson.decode(prior)
  local at, id = string.format('%.17g', p.contact.at), p.contact.id .. '\\31'
  if p.contact.at < tonumber(cutoff) or (p.granted and sameContact(c, at, id) == id) then redis.call('HDEL', o, key) return false end
  return prior
end
local function indexContact(member, at, retention, cutoff)
  local atoms = {}
  local ch, ca, of, tx, tags = atomsOf(member, atoms, {})
  local id = string.sub(redis.sha1hex(member), 1, 16)
  for j = 1, #atoms do
    local k = base .. atoms[j]
    if cutoff then redis.call('ZREMRANGEBYSCORE', k, '-inf', '(' .. cutoff) end
    redis.call('ZADD', k, at, j == 1 and (at .. '\\31' .. ch .. '\\31' .. ca .. '\\31' .. of .. '\\31' .. tx .. '\\31' .. tags .. '\\31' .. id) or id)
    redis.call('PEXPIRE', k, retention)
  end
  redis.call('SADD', registry, unpack(atoms))
  redis.call('PEXPIRE', registry, retention)
end
`;

const RESERVE_ITEM = `
local function forgetRefusals(o, cutoff)
  local all, oldest = redis.call('HGETALL', o), nil
  for j = 1, #all, 2 do
    if all[j] ~= '\\31old' then
      local p = cjson.decode(all[j + 1])
      if not p.granted then
        if p.contact.at < cutoff then redis.call('HDEL', o, all[j])
        elseif not oldest or p.contact.at < oldest then oldest = p.contact.at end
      end
    end
  end
  if oldest then redis.call('HSET', o, '\\31old', string.format('%.17g', oldest)) else redis.call('HDEL', o, '\\31old') end
end
local function reserveItem(K, A)
  forSubject(K[1])
  local c, r, o = K[1], K[2], K[3]
  local key = A[1]
  local at, retention, cutoff, force, contactFrom, responseFrom, scanFrom, nScan, txSnap, now =
    string.match(A[3], '^([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)$')
  redis.call('ZREMRANGEBYSCORE', c, '-inf', '(' .. cutoff)
  redis.call('ZREMRANGEBYSCORE', r, '-inf', '(' .. cutoff)
  local old = redis.call('HGET', o, '\\31old')
  if old and tonumber(old) < tonumber(cutoff) then forgetRefusals(o, tonumber(cutoff)) end
  local prior = keptOutcome(o, key, cutoff, c)
  if prior then return {2, prior} end
  nScan = tonumber(nScan)
  local blocked = force == '1'
  local spec, p = A[4], 1
  while not blocked and p <= #spec do
    local stop = string.find(spec, '\\29', p, true) or (#spec + 1)
    local limit, lb, ub, atoms = string.match(string.sub(spec, p, stop - 1), '^([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31(.*)$')
    p = stop + 1
    limit = tonumber(limit)
    local n = 0
    if limit > 0 then
      for atom in string.gmatch(atoms, '[^\\28]+') do
        n = n + redis.call('ZCOUNT', base .. atom, lb, ub)
        if n >= limit then blocked = true break end
      end
    else
      -- Overlapping atoms (several tags): count distinct contacts; no atom needs more than limit of them.
      limit = -limit
      local seen = {}
      for atom in string.gmatch(atoms, '[^\\28]+') do
        local found = redis.call('ZRANGEBYSCORE', base .. atom, lb, ub, 'LIMIT', 0, limit)
        for m = 1, #found do
          if not seen[found[m]] then seen[found[m]] = true n = n + 1 end
        end
        if n >= limit then blocked = true break end
      end
    end
  end
  local a = 5
  if nScan > 0 and not blocked then
    local find = string.find
    local rules = {}
    local hasContactRule, hasResponseRule = false, false
    local STATIC = '^([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)$'
    for i = 1, nScan do
      local b = a + (i - 1) * 5
      local kind, ch, ca, of, tagList, per, tx, kinds = string.match(A[b], STATIC)
      local tags = {}
      for t in string.gmatch(tagList, '[^\\30]+') do tags[#tags + 1] = '\\30' .. t .. '\\30' end
      rules[i] = { kind = kind, lb = tonumber(A[b + 1]), ub = tonumber(A[b + 2]), limit = tonumber(A[b + 3]),
        ch = ch, ca = ca, of = of, tags = tags, ntags = #tags, per = per, pv = A[b + 4], tx = tx, kinds = kinds, n = 0 }
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
    local HEADER = '^[^\\31]*\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31'
    if hasContactRule then
      local contacts = redis.call('ZRANGEBYSCORE', c, scanFrom, '+inf', 'WITHSCORES')
      for j = 1, #contacts, 2 do
        local at = tonumber(contacts[j + 1])
        local ch, ca, of, tx, tags = string.match(contacts[j], HEADER)
        local chk, cak, ofk = nil, nil, nil
        for i = 1, nScan do
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
      local responses = redis.call('ZRANGEBYSCORE', r, responseFrom, '+inf', 'WITHSCORES')
      for j = 1, #responses, 2 do
        local at = tonumber(responses[j + 1])
        local ch, ca, of, kind, tags = string.match(responses[j], HEADER)
        local chk, cak, ofk, kindk = '\\30' .. ch .. '\\30', '\\30' .. ca .. '\\30', '\\30' .. of .. '\\30', '\\30' .. kind .. '\\30'
        for i = 1, nScan do
          local rule = rules[i]
          if rule.kind == 'C' and at >= rule.lb and find(rule.kinds, kindk, 1, true) and inScope(rule, ch, ca, of, chk, cak, ofk, tags) then
            blocked = true
            break
          end
        end
        if blocked then break end
      end
    end
  end
  if blocked then
    -- The client explains the refusal from a snapshot: compact contacts from the index, response headers.
    local cs, ts, rs = {}, {}, {}
    if contactFrom ~= '' then
      cs = redis.call('ZRANGEBYSCORE', base .. 'n*', contactFrom, '+inf')
      -- Transactional contacts only when a rule counts them (the explanation is the same without them otherwise).
      if txSnap == '1' then ts = redis.call('ZRANGEBYSCORE', base .. 't*', contactFrom, '+inf') end
    end
    if responseFrom ~= '' then
      rs = redis.call('ZRANGEBYSCORE', r, responseFrom, '+inf', 'WITHSCORES')
      for j = 1, #rs, 2 do rs[j] = string.match(rs[j], '^[^\\31]*\\31[^\\31]*\\31[^\\31]*\\31[^\\31]*\\31[^\\31]*\\31[^\\31]*\\31') end
    end
    return {0, cs, ts, rs}
  end
  -- The same contact (id, at) already there is filed again as it is: its index keys then expire with the contacts.
  local m = sameContact(c, at, A[2])
  redis.call('ZADD', c, at, m)
  indexContact(m, at, retention, cutoff)
  redis.call('PEXPIRE', c, retention)
  if key ~= '' then
    redis.call('HSET', o, key, grantedOutcome(A[2], now))
    redis.call('PEXPIRE', o, retention)
  end
  return {1}
end
`;

/**
 * Checks every applicable rule and records the contact when none is full, in one script.
 *
 * Redis charges per argument (each becomes an object and a Lua string), so the per-call values travel packed:
 * KEYS: contacts, responses, idem, then the registry and every index key the call reads or writes (named from
 * KEYS[1] in the script; declared so that a migrating slot is refused before the script starts, never half-way).
 * ARGV: 1 idempotency key ('' = none), 2 member, 3 scalars — at \31 retention ms \31 trim cut-off (now −
 * retention) \31 force deny (1|0) \31 snapshot start of contacts ('' = none) \31 snapshot and scan start of
 * responses ('' = none) \31 scan start of contacts \31 number of scanned rules \31 transactional contacts in the
 * snapshot (1|0) \31 now (the granted outcome's `nextAllowedAt`; the outcome itself is built here from the member) —,
 * 4 indexed rules, tightest first, separated by \29: limit (negative: count distinct contacts over atoms that
 * may overlap) \31 window start \31 window end (ZCOUNT max) \31 atoms separated by \28; then per scanned rule:
 * static part, window start, window end, limit, per value.
 * Returns {1} (granted), {2, outcome} (replay) or {0, n* snapshot, t* snapshot, responses snapshot}.
 */
export const RESERVE_LUA = `${ATOMS_LUA}${RESERVE_ITEM}
return reserveItem(KEYS, ARGV)
`;

/**
 * {@link RESERVE_LUA} for several reservations in one call, in order (each sees the ones before it). KEYS: every
 * item's keys, concatenated; ARGV per item: its number of keys, its number of arguments, then its arguments.
 * Returns one answer per item.
 */
export const RESERVE_MANY_LUA = `${ATOMS_LUA}${RESERVE_ITEM}
local out, k, a = {}, 0, 0
while a < #ARGV do
  local nk, na = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local K, A = {}, {}
  for j = 1, nk do K[j] = KEYS[k + j] end
  for j = 1, na do A[j] = ARGV[a + 2 + j] end
  out[#out + 1] = reserveItem(K, A)
  k, a = k + nk, a + 2 + na
end
return out
`;

/**
 * Records a contact unless its idempotency key (kept: its contact not older than at − retention) or a contact with
 * its id at its `at` is already there (then its key is not kept).
 * KEYS: contacts, idem, registry, the contact's index keys. ARGV: 1 key, 2 member, 3 at, 4 retention ms (the
 * outcome kept under a key is built from the member, with `at` as its `nextAllowedAt`).
 */
export const RECORD_LUA = `${ATOMS_LUA}
local c, o = KEYS[1], KEYS[2]
local key = ARGV[1]
local prior = keptOutcome(o, key, ARGV[3] - ARGV[4], c)
if prior then return {0, prior} end
local m = sameContact(c, ARGV[3], ARGV[2])
local added = redis.call('ZADD', c, ARGV[3], m)
redis.call('PEXPIRE', c, ARGV[4])
indexContact(m, ARGV[3], ARGV[4], nil)
if key ~= '' and added == 1 then
  redis.call('HSET', o, key, grantedOutcome(ARGV[2], ARGV[3]))
  redis.call('PEXPIRE', o, ARGV[4])
end
return {added}
`;

// Prune and erase read the atoms from the registry; the client declared the keys it saw there (KEYS[3..]): an atom
// filed since then is undeclared, so the script writes nothing and returns -1 for the client to run it again.
const REGISTRY_DECLARED_LUA = `
local declared = {}
for i = 3, #KEYS do declared[KEYS[i]] = true end
local atoms = redis.call('SMEMBERS', registry)
for _, a in ipairs(atoms) do
  if not declared[base .. a] then return -1 end
end
`;

/**
 * Deletes a subject's contacts and index entries before a cut-off (forgetting atoms left empty).
 * KEYS: contacts, registry, every index key in the registry. ARGV: cut-off. Returns the number removed, or -1.
 */
export const PRUNE_CONTACTS_LUA = `${ATOMS_LUA}${REGISTRY_DECLARED_LUA}
for _, a in ipairs(atoms) do
  redis.call('ZREMRANGEBYSCORE', base .. a, '-inf', '(' .. ARGV[1])
  if redis.call('EXISTS', base .. a) == 0 then redis.call('SREM', registry, a) end
end
return redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
`;

/**
 * Deletes a subject: contacts, every index key it ever had, responses and idempotency.
 * KEYS: contacts, registry, every index key in the registry, responses, idem. Returns 0, or -1 (see above).
 */
export const ERASE_LUA = `${ATOMS_LUA}${REGISTRY_DECLARED_LUA}
for _, a in ipairs(atoms) do redis.call('DEL', base .. a) end
redis.call('DEL', KEYS[1], registry, KEYS[#KEYS - 1], KEYS[#KEYS])
return 0
`;

/**
 * Stores a refusal under its idempotency key unless another caller stored an outcome first, and the earliest
 * refused contact's `at` under the field \31old (no key holds a control character).
 * ARGV: key, outcome JSON, retention ms, the refused contact's `at`.
 */
export const STORE_OUTCOME_LUA = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  local old = tonumber(redis.call('HGET', KEYS[1], '\\31old'))
  if not old or tonumber(ARGV[4]) < old then redis.call('HSET', KEYS[1], '\\31old', ARGV[4]) end
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return false
end
return redis.call('HGET', KEYS[1], ARGV[1])
`;
