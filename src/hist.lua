#!lua
-- hist.lua -- the indicator history streams, upserted in one run.
--
-- Sent with EVAL by recompute.c, inside the MULTI ... EXEC that writes the
-- indicator hashes, so a reader sees a recompute's hashes and history
-- together. A history stream K hist:<indicator>:<cadence> holds one entry
-- per closed period that has a value: id <period start, unix ms>-0 (local
-- midnight of the period's first day), fields value target numerator
-- denominator, always all four and in that order. Grafana's Redis data
-- source draws XRANGE of it on a time axis.
--
-- A stream accepts only ids above its last one. An entry at or below the
-- last id that must change (late lines or a backfill changed a closed
-- period; an older period appears for the first time; a period lost its
-- value) is applied by rebuilding the stream: XRANGE of everything, the
-- entries replaced, inserted or removed, DEL, and XADD of all in id order,
-- all inside this one atomic script. Consumer groups, which teleqd never
-- creates, would not survive a rebuild.
--
-- KEYS[1 ..]   the history streams (one hash tag)
-- ARGV[1]      "th1" (protocol)
-- ARGV[2]      E, the number of entries
-- then E x (key index, period start ms, value, target, numerator,
--           denominator); value "" = the period has no value: its entry,
--           if any, is removed. At most one entry per (key, id).
--
-- Per stream: an id above the last id is appended; an id present with
-- identical fields, or absent with value "", changes nothing; anything
-- else rebuilds the stream. An entry whose period start cannot be a stream
-- id (not 1 to 15 digits, or 0: a period before 1970), and every entry for a key
-- that holds something other than a stream, is skipped and counted: one
-- bad period never keeps the others from being written. Returns { entries
-- appended, streams rebuilt, entries skipped }. Everything is checked
-- before the first write; errors (a script and daemon that do not match)
-- start with "TELEQ".

local function fail(msg)
	error({ err = 'TELEQ ' .. msg })
end

-- "<ms>-<seq>" as two numbers (ids teleqd writes have seq 0)
local function split_id(id)
	local ms, seq = string.match(id, '^(%d+)%-(%d+)$')
	return tonumber(ms), tonumber(seq)
end

local function id_less(a, b)
	local am, as = split_id(a)
	local bm, bs = split_id(b)
	if am ~= bm then
		return am < bm
	end
	return as < bs
end

local function same_fields(x, y)
	if #x ~= #y then
		return false
	end
	for i = 1, #x do
		if x[i] ~= y[i] then
			return false
		end
	end
	return true
end

-- ------------------------------------------------------------ checks
if ARGV[1] ~= 'th1' then
	fail('protocol mismatch: script and daemon differ')
end
local n = tonumber(ARGV[2])
if not n or n < 0 or n ~= math.floor(n) or #ARGV ~= 2 + 6 * n then
	fail('bad entry count')
end

local per = {}          -- key index -> entries
local order = {}        -- key indexes in first-seen order (deterministic)
local skipped = 0
for i = 0, n - 1 do
	local b = 3 + 6 * i
	local k = tonumber(ARGV[b])
	local ms = ARGV[b + 1]
	if not k or k < 1 or k > #KEYS or k ~= math.floor(k) then
		fail('bad key index')
	end
	-- 0-0 is no stream id either (XADD refuses it)
	if type(ms) ~= 'string' or #ms > 15 or not string.match(ms, '^%d+$') or
	    tonumber(ms) < 1 then
		skipped = skipped + 1
	else
		if not per[k] then
			per[k] = {}
			order[#order + 1] = k
		end
		local list = per[k]
		list[#list + 1] = {
			ms = tonumber(ms),
			id = ms .. '-0',
			del = ARGV[b + 2] == '',
			f = { 'value', ARGV[b + 2], 'target', ARGV[b + 3],
			      'numerator', ARGV[b + 4], 'denominator', ARGV[b + 5] },
		}
	end
end
local streams = {}      -- the key indexes of order that are streams, or absent
for _, k in ipairs(order) do
	local t = redis.call('TYPE', KEYS[k])['ok']
	table.sort(per[k], function(a, b) return a.ms < b.ms end)
	for j = 2, #per[k] do
		if per[k][j].ms == per[k][j - 1].ms then
			fail('repeated period')
		end
	end
	if t == 'stream' or t == 'none' then
		streams[#streams + 1] = k
	else
		skipped = skipped + #per[k]
	end
end

-- ------------------------------------------------------------ writes
-- Rebuilds the stream key with list applied: one DEL, then every entry in id order.
local function rebuild(key, list)
	local byid, ids = {}, {}
	for _, x in ipairs(redis.call('XRANGE', key, '-', '+')) do
		byid[x[1]] = x[2]
		ids[#ids + 1] = x[1]
	end
	for _, e in ipairs(list) do
		if e.del then
			byid[e.id] = nil
		else
			if not byid[e.id] then
				ids[#ids + 1] = e.id
			end
			byid[e.id] = e.f
		end
	end
	table.sort(ids, id_less)
	redis.call('DEL', key)
	for _, id in ipairs(ids) do
		if byid[id] then
			redis.call('XADD', key, id, unpack(byid[id]))
		end
	end
end

local appended, rebuilt = 0, 0
for _, k in ipairs(streams) do
	local key, list = KEYS[k], per[k]
	local last = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)
	local lastms = -1
	if #last > 0 then
		lastms = split_id(last[1][1])
	end
	-- at or below the last id: only an unchanged entry (or an absent one
	-- that is to stay absent) can be left alone
	local must = false
	for _, e in ipairs(list) do
		if e.ms <= lastms then
			local cur = redis.call('XRANGE', key, e.id, e.id)
			if #cur == 0 then
				must = not e.del
			else
				must = e.del or not same_fields(cur[1][2], e.f)
			end
			if must then
				break
			end
		end
	end
	if not must then
		local added = 0
		for _, e in ipairs(list) do
			if e.ms > lastms and not e.del then
				-- refused when the stream's last generated id is higher than
				-- its last entry (entries deleted by hand): rebuild instead
				local r = redis.pcall('XADD', key, e.id, unpack(e.f))
				if type(r) == 'table' and r.err then
					must = true
					break
				end
				added = added + 1
			end
		end
		if not must then
			appended = appended + added
		end
	end
	if must then
		rebuild(key, list)
		rebuilt = rebuilt + 1
	end
end
return { appended, rebuilt, skipped }
