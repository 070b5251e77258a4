#!lua
-- commit.lua -- one teleqd commit, applied whole or not at all.
--
-- Sent with EVAL by store.c (the protocol is described there too). The
-- shebang matters: a script with one is refused up front when Redis is out
-- of memory, instead of failing at its first write.
--
-- KEYS[1] files (hash)   KEYS[2] deadletter (stream)   KEYS[3] stats (hash)
-- KEYS[4 ..]   D day hashes, M month hashes, S seen buckets (sets), R rejects
--              hashes, C case hashes, in that order (counts in ARGV[6..10]),
--              and last a scratch set (deleted before the script returns).
--
-- ARGV[1] "tq5" (protocol)      ARGV[2] epoch (fencing token)
-- ARGV[3] sequence: the stats field "commits" this commit expects to find
-- ARGV[4] now, unix ms          ARGV[5] dead-letter MAXLEN (~)
-- ARGV[6..10] D, M, S, R, C
-- ARGV[11] window: seconds each seen bucket written lives after this commit
-- then nine sections, each a count followed by its records:
--   counts        n, n x (day key index, month key index, field, delta)
--   id groups     n, dups, n x (day key index, month key index, field, k):
--                 the k events with an id of one (day, field), each (month,
--                 id) at most once in the commit; dups counts the copies the
--                 daemon dropped from the batch itself
--   buckets       S, S x (k, runs, k members): the ids of the commit in the
--                 seen bucket KEYS[3 + D + M + j], as integers (an intset in
--                 Redis), grouped by id group; runs is binary, 4 bytes a
--                 run: its id group (1-based) and length, 16 bits each,
--                 big-endian. The runs of a group over all buckets add up
--                 to its k
--   positions     n, n x (field, value)             value "" = HDEL
--   rejects       n, n x (rejects key index, field, delta)
--   dead letters  n, n x (feed, file, line, reason, detail)
--   maxima        n, n x (stats field, integer): the field keeps the larger
--                 value (the latest event time of each feed)
--   month deltas  n, n x (month key index, field, delta): the counters of the
--                 deadline indicators, "deadline:<indicator>|met|missed|
--                 pending|extended" (deltas may be negative)
--   case states   n, n x (case key index, field, value): value "" = HDEL,
--                 applied in order
-- Key indexes are indexes into KEYS and must fall in their group.
--
-- Returns { events counted, duplicate ids }. Errors start with "TELEQ".
--
-- Phase 1 only reads: it checks the epoch (a commit sent on a connection
-- that has since been replaced is refused, so it can never land after the
-- daemon reread the positions) and the sequence (the daemon sends the next
-- commit before the previous one is answered; if that one was refused,
-- "commits" did not move and this one is refused too, so no commit ever
-- lands past data that was not counted), validates every argument (ids are opaque
-- strings), checks the type of every key and that every counter it will
-- increment holds an integer. Phase 2 writes, with nothing left that can
-- fail: first the ids, one variadic SADD per bucket straight from ARGV,
-- whose reply is the number of ids not seen before (no per-id Lua: this is
-- what makes a backfill with ids fast). When it is all of them, or none,
-- every run of the bucket is new, or old; only a bucket with new and old
-- ids together needs the runs told apart: it was COPYed to the scratch set
-- before the SADD, and each run is added to that copy on its own. Each
-- bucket written gets EXPIRE window (sliding: it lives window seconds
-- after its last write); EXPIRE rather than an EXPIREAT the daemon works
-- out, so Redis's own clock, which does the expiring, also sets the date,
-- and one number serves every bucket. Then the counters.

local CHUNK = 1000     -- arguments per variadic call (Lua's C stack is bounded: 8000)
local SMALL = 512      -- a seen bucket this small is COPYed (Redis's set-max-intset-entries)

local function fail(msg)
	error({ err = 'TELEQ ' .. msg })
end

local function int(s, what)
	if type(s) ~= 'string' or #s > 18 or not string.match(s, '^%-?%d+$') then
		fail('bad ' .. what)
	end
	return tonumber(s)
end

-- ------------------------------------------------------------ phase 1
if ARGV[1] ~= 'tq5' then
	fail('protocol mismatch: script and daemon differ')
end
local epoch = ARGV[2]
local seq = ARGV[3]
int(seq, 'sequence')
local now_ms = int(ARGV[4], 'time')
local maxlen = ARGV[5]
int(maxlen, 'maxlen')

local cur = redis.call('HGET', KEYS[3], 'epoch')
if cur ~= epoch then
	fail('fenced: this connection is stale (epoch ' .. tostring(cur) .. ', commit ' .. epoch .. ')')
end
cur = redis.call('HGET', KEYS[3], 'commits') or '0'
if cur ~= seq then
	fail('out of sequence: commit ' .. seq .. ' after ' .. cur .. ' (an earlier commit was refused)')
end

local nd, nm, ns, nr = int(ARGV[6], 'D'), int(ARGV[7], 'M'), int(ARGV[8], 'S'), int(ARGV[9], 'R')
local nc = int(ARGV[10], 'C')
if nd < 0 or nm < 0 or ns < 0 or nr < 0 or nc < 0 or 4 + nd + nm + ns + nr + nc ~= #KEYS then
	fail('key count mismatch')
end
local day_lo, day_hi = 4, 3 + nd
local mon_lo, mon_hi = day_hi + 1, day_hi + nm
local seen_lo, seen_hi = mon_hi + 1, mon_hi + ns
local rej_lo, rej_hi = seen_hi + 1, seen_hi + nr
local case_lo, case_hi = rej_hi + 1, rej_hi + nc

local function want_type(k, t)
	local got = redis.call('TYPE', KEYS[k])['ok']
	if got ~= 'none' and got ~= t then
		fail('key ' .. KEYS[k] .. ' is a ' .. got .. ', not a ' .. t)
	end
end
want_type(1, 'hash')
want_type(2, 'stream')
want_type(3, 'hash')
local scratch = #KEYS
for k = 4, seen_lo - 1 do
	want_type(k, 'hash')
end
for k = seen_hi + 1, scratch - 1 do
	want_type(k, 'hash')
end
-- The seen buckets are many (a few hundred a commit): one SINTERCARD per
-- CHUNK checks that each is a set or absent (WRONGTYPE otherwise); LIMIT 1
-- stops it at the first common member, and random buckets have none.
want_type(scratch, 'set')
for i = seen_lo, seen_hi, CHUNK do
	local j = math.min(i + CHUNK - 1, seen_hi)
	local r = redis.pcall('SINTERCARD', j - i + 1, unpack(KEYS, i, j))
	if type(r) == 'table' and r['err'] then
		fail('a seen bucket is not a set: ' .. r['err'])
	end
end

local ai = 10
local function arg()
	ai = ai + 1
	local v = ARGV[ai]
	if v == nil then fail('arguments end early') end
	return v
end
local function count(what)
	local n = int(arg(), what)
	if n < 0 then fail('bad ' .. what) end
	return n
end
local function kidx(lo, hi)
	local k = int(arg(), 'key index')
	if k < lo or k > hi then fail('key index out of its group') end
	return k
end

local window = int(arg(), 'window')
if window < 1 then fail('bad window') end

-- incr[key index][field] = delta; the same field may come from several records
local incr = {}
local function add(k, f, d)
	local t = incr[k]
	if t == nil then
		t = {}
		incr[k] = t
	end
	t[f] = (t[f] or 0) + d
end

local events, dups = 0, 0

local n = count('counts')
for _ = 1, n do
	local dk, mk = kidx(day_lo, day_hi), kidx(mon_lo, mon_hi)
	local f, d = arg(), int(arg(), 'delta')
	add(dk, f, d)
	add(mk, f, d)
	events = events + d
end

local ngroups = count('id groups')
local bdups = count('batch duplicates')
local groups, nids = {}, 0
for j = 1, ngroups do
	local dk, mk = kidx(day_lo, day_hi), kidx(mon_lo, mon_hi)
	local f = arg()
	local k = count('ids')
	if k == 0 then fail('empty id group') end
	groups[j] = { dk, mk, f, k, k } -- [4]: its ids not seen before (less the old ones in phase 2)
	nids = nids + k
	add(dk, f, 0)           -- checked like every counter; the delta comes in phase 2
	add(mk, f, 0)
end

-- The buckets hold every id of the groups, once: their counts add up. The
-- runs are only checked in shape here (decoding them costs Lua work per
-- run, which a backfill of new ids never needs); phase 2 reads them only
-- for a bucket with ids seen before, and skips a run naming no group.
if count('buckets') ~= ns then fail('bucket count mismatch') end
-- A few hundred buckets a commit: no pattern match nor table per bucket
-- (tonumber, then whole and in range); phase 2 walks the section again.
local byte, nargv, bucket_at = string.byte, #ARGV, ai + 1
for _ = 1, ns do
	local k = tonumber(arg())
	local runs = arg()
	if not k or k < 1 or k % 1 ~= 0 or #runs == 0 or #runs % 4 ~= 0 or #runs > 4 * k or
	    ai + k > nargv then
		fail('bad bucket')
	end
	ai = ai + k
	nids = nids - k
end
if nids ~= 0 then fail('the buckets do not hold the ids of the groups') end

n = count('positions')
local hset, hdel = {}, {}
for _ = 1, n do
	local f, v = arg(), arg()
	if v == '' then hdel[#hdel + 1] = f else
		hset[#hset + 1] = f
		hset[#hset + 1] = v
	end
end

-- A section of n x (key index in [lo, hi], field, delta), added to incr;
-- what names the section and its delta in a failure.
local function add_deltas(what, delta_what, lo, hi)
	for _ = 1, count(what) do
		local k = kidx(lo, hi)
		local f, d = arg(), int(arg(), delta_what)
		add(k, f, d)
	end
end

add_deltas('rejects', 'reject count', rej_lo, rej_hi)

n = count('dead letters')
local dead = {}
for j = 1, n do
	dead[j] = { arg(), arg(), arg(), arg(), arg() }
end

n = count('maxima')
local maxf = {}
for j = 1, n do
	local f = arg()
	maxf[j] = { f, int(arg(), 'maximum') }
end

add_deltas('month deltas', 'month delta', mon_lo, mon_hi)

n = count('case states')
local cases = {}
for j = 1, n do
	cases[j] = { kidx(case_lo, case_hi), arg(), arg() }
end
if ai ~= #ARGV then
	fail('trailing arguments')
end

-- Every counter about to be incremented must hold an integer that cannot
-- overflow, or HINCRBY would fail half-way through phase 2.
add(3, 'commits', 1)
add(3, 'events', 0)
add(3, 'duplicates', 0)
for k, t in pairs(incr) do
	local fields = {}
	for f, _ in pairs(t) do fields[#fields + 1] = f end
	for i = 1, #fields, CHUNK do
		local j = math.min(i + CHUNK - 1, #fields)
		local res = redis.call('HMGET', KEYS[k], unpack(fields, i, j))
		for x = 1, #res do
			local v = res[x]
			if v and (#v > 18 or not string.match(v, '^%-?%d+$')) then
				fail('counter ' .. KEYS[k] .. ' ' .. fields[i + x - 1] .. ' is not a small integer')
			end
		end
	end
end

-- ------------------------------------------------------------ phase 2
-- SADD adds the ids (a variadic call per CHUNK) and returns how many were new.
local function sadd(key, first, last)
	local new = 0
	for i = first, last, CHUNK do
		new = new + redis.call('SADD', key, unpack(ARGV, i, math.min(i + CHUNK - 1, last)))
	end
	return new
end
-- Each group's k starts as "all new"; the old ids of each run are taken off.
-- SMISMEMBER's flags of ARGV[first..last] in key, chunked (the stack).
local function ismember(key, first, last)
	if last - first < CHUNK then
		return redis.call('SMISMEMBER', key, unpack(ARGV, first, last))
	end
	local t = {}
	for i = first, last, CHUNK do
		local r = redis.call('SMISMEMBER', key, unpack(ARGV, i, math.min(i + CHUNK - 1, last)))
		for x = 1, #r do t[#t + 1] = r[x] end
	end
	return t
end
local used = false      -- the scratch set may exist
local at_b = bucket_at
for sk = seen_lo, seen_hi do
	local k, runs = tonumber(ARGV[at_b]), ARGV[at_b + 1]
	local first = at_b + 2
	local last = first + k - 1
	at_b = last + 1
	-- The bucket as it was, in case its runs must be told apart (several
	-- runs): a COPY while it is small (an intset: a memcpy; REPLACE, the
	-- scratch set is deleted once, at the end), else which of the ids it
	-- holds (copying a hash table would cost more than asking).
	local copied, flags = false, nil
	if #runs > 4 then
		local card = redis.call('SCARD', KEYS[sk])
		if card > SMALL then
			flags = ismember(KEYS[sk], first, last)
		elseif card > 0 then
			copied = redis.call('COPY', KEYS[sk], KEYS[scratch], 'REPLACE') == 1
			used = true
		end
	end
	local new
	if k <= CHUNK then
		new = redis.call('SADD', KEYS[sk], unpack(ARGV, first, last))
	else
		new = sadd(KEYS[sk], first, last)
	end
	if new < k then
		-- Some were there before: which runs? With one run, or none new, it
		-- is plain; else the flags tell, or each run goes into the copy (or
		-- into the empty scratch set when the bucket was new: ids of the
		-- commit that hash alike), whose SADD tells that run's new ids.
		local at, split = first, new > 0 and #runs > 4
		if split and not flags and not copied and used then
			redis.call('DEL', KEYS[scratch])       -- a new bucket: its copy is empty
		end
		used = used or split
		for r = 1, #runs, 4 do
			local g1, g2, l1, l2 = byte(runs, r, r + 3)
			local g, l = groups[g1 * 256 + g2], math.min(l1 * 256 + l2, last + 1 - at)
			local old = l
			if split and flags then
				old = 0
				for x = at - first + 1, at - first + l do old = old + flags[x] end
			elseif split and l > 0 then
				old = l - sadd(KEYS[scratch], at, at + l - 1)
			elseif new > 0 then
				old = k - new           -- the one run
			end
			if g then g[4] = g[4] - old end
			at = at + l
		end
	end
	redis.call('EXPIRE', KEYS[sk], window)
end
if used then redis.call('DEL', KEYS[scratch]) end
for j = 1, #groups do
	local g = groups[j]
	add(g[1], g[3], g[4])
	add(g[2], g[3], g[4])
	events = events + g[4]
	dups = dups + g[5] - g[4]
end
dups = dups + bdups
add(3, 'events', events)
add(3, 'duplicates', dups)
for k, t in pairs(incr) do
	for f, d in pairs(t) do
		if d ~= 0 then
			redis.call('HINCRBY', KEYS[k], f, string.format('%d', d))
		end
	end
end
for i = 1, #hset, 2 * CHUNK do
	redis.call('HSET', KEYS[1], unpack(hset, i, math.min(i + 2 * CHUNK - 1, #hset)))
end
for i = 1, #hdel, CHUNK do
	redis.call('HDEL', KEYS[1], unpack(hdel, i, math.min(i + CHUNK - 1, #hdel)))
end
if maxlen ~= '0' then
	for j = 1, #dead do
		local d = dead[j]
		redis.call('XADD', KEYS[2], 'MAXLEN', '~', maxlen, '*', 'feed', d[1], 'file', d[2],
		           'line', d[3], 'reason', d[4], 'detail', d[5])
	end
end
-- in order: a case written twice in one commit ends with its last state
for j = 1, #cases do
	local c = cases[j]
	if c[3] == '' then
		redis.call('HDEL', KEYS[c[1]], c[2])
	else
		redis.call('HSET', KEYS[c[1]], c[2], c[3])
	end
end
for j = 1, #maxf do
	local f, v = maxf[j][1], maxf[j][2]
	local cur = tonumber(redis.call('HGET', KEYS[3], f) or '')
	if not cur or v > cur then
		redis.call('HSET', KEYS[3], f, string.format('%d', v))
	end
end
redis.call('HSET', KEYS[3], 'last_commit_ms', string.format('%d', now_ms))
return { events, dups }
