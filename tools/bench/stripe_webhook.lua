-- tools/bench/stripe_webhook.lua: wrk script for `make bench`.
-- Every request is a DISTINCT signed Stripe event: a new event id and a new
-- PaymentIntent (payment key) per request, payment_intent.succeeded for $1
-- to one of the workspaces in MG_BENCH_WS_IDS (comma-separated), signed in
-- here with HMAC-SHA256 over "<t>.<body>" (payments.md §1) keyed with
-- MG_BENCH_STRIPE_SECRET. SHA-256 is FIPS 180-4, HMAC is RFC 2104, both on
-- LuaJIT's bit library (wrk embeds LuaJIT).
local bit = require("bit")
local band, bor, bxor, bnot = bit.band, bit.bor, bit.bxor, bit.bnot
local rshift, lshift, ror, tobit, tohex = bit.rshift, bit.lshift, bit.ror, bit.tobit, bit.tohex
local byte, char, rep, fmt = string.byte, string.char, string.rep, string.format

local K = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}
for i = 1, 64 do K[i] = tobit(K[i]) end

local function be32(x)
	return char(band(rshift(x, 24), 255), band(rshift(x, 16), 255),
		band(rshift(x, 8), 255), band(x, 255))
end

-- SHA-256 of msg as 32 raw bytes.
local function sha256(msg)
	local len = #msg
	local bits = len * 8
	msg = msg .. "\128" .. rep("\0", (55 - len) % 64) ..
		be32(tobit(math.floor(bits / 4294967296))) .. be32(tobit(bits % 4294967296))
	local H = { tobit(0x6a09e667), tobit(0xbb67ae85), tobit(0x3c6ef372), tobit(0xa54ff53a),
		tobit(0x510e527f), tobit(0x9b05688c), tobit(0x1f83d9ab), tobit(0x5be0cd19) }
	local w = {}
	for i = 1, #msg, 64 do
		for j = 1, 16 do
			local p = i + (j - 1) * 4
			local a, b, c, d = byte(msg, p, p + 3)
			w[j] = bor(lshift(a, 24), lshift(b, 16), lshift(c, 8), d)
		end
		for j = 17, 64 do
			local v = w[j - 15]
			local s0 = bxor(ror(v, 7), ror(v, 18), rshift(v, 3))
			v = w[j - 2]
			local s1 = bxor(ror(v, 17), ror(v, 19), rshift(v, 10))
			w[j] = tobit(w[j - 16] + s0 + w[j - 7] + s1)
		end
		local a, b, c, d, e, f, g, h = H[1], H[2], H[3], H[4], H[5], H[6], H[7], H[8]
		for j = 1, 64 do
			local S1 = bxor(ror(e, 6), ror(e, 11), ror(e, 25))
			local ch = bxor(band(e, f), band(bnot(e), g))
			local t1 = tobit(h + S1 + ch + K[j] + w[j])
			local S0 = bxor(ror(a, 2), ror(a, 13), ror(a, 22))
			local maj = bxor(band(a, b), band(a, c), band(b, c))
			local t2 = tobit(S0 + maj)
			h, g, f, e, d, c, b, a = g, f, e, tobit(d + t1), c, b, a, tobit(t1 + t2)
		end
		H[1], H[2], H[3], H[4] = tobit(H[1] + a), tobit(H[2] + b), tobit(H[3] + c), tobit(H[4] + d)
		H[5], H[6], H[7], H[8] = tobit(H[5] + e), tobit(H[6] + f), tobit(H[7] + g), tobit(H[8] + h)
	end
	local out = {}
	for i = 1, 8 do out[i] = be32(H[i]) end
	return table.concat(out)
end

local function hex(s)
	return (s:gsub(".", function(c) return fmt("%02x", byte(c)) end))
end

-- Lowercase hex HMAC-SHA256(key, msg).
local function hmac_hex(key, msg)
	if #key > 64 then key = sha256(key) end
	key = key .. rep("\0", 64 - #key)
	local ipad, opad = {}, {}
	for i = 1, 64 do
		local k = byte(key, i)
		ipad[i] = char(bxor(k, 0x36))
		opad[i] = char(bxor(k, 0x5c))
	end
	return hex(sha256(table.concat(opad) .. sha256(table.concat(ipad) .. msg)))
end

-- Known answer (payments.md §1): refuse to run with a broken signer.
assert(hmac_hex("test_secret", "") ==
	"f7f9bd47fb987337b5796fdc1fdb9ba221d0d5396814bfcaf9521f43fd8927fd", "hmac self-test")

local secret = os.getenv("MG_BENCH_STRIPE_SECRET") or "whsec_bench"
local ws = {}
for id in string.gmatch(os.getenv("MG_BENCH_WS_IDS") or "", "[^,]+") do ws[#ws + 1] = id end
if #ws == 0 then ws[1] = "00000000-0000-0000-0000-000000000000" end

local threads, nthreads = {}, 0
function setup(thread)
	nthreads = nthreads + 1
	thread:set("tid", nthreads)
	table.insert(threads, thread)
end

local n, run, tid0 = 0, nil, nil
function init(args)
	tid0 = tid or 0
	run = fmt("%x%04x", os.time(), math.random(0, 65535))
end

function request()
	n = n + 1
	local key = fmt("pi_bench_%s_%d_%d", run, tid0, n)
	local w = ws[(n % #ws) + 1]
	local body = '{"id":"evt_' .. key .. '","object":"event","api_version":"2026-10-28.endive",' ..
		'"created":' .. os.time() .. ',"livemode":false,"type":"payment_intent.succeeded",' ..
		'"data":{"object":{"id":"' .. key .. '","object":"payment_intent","amount":100,' ..
		'"amount_received":100,"currency":"usd","status":"succeeded",' ..
		'"metadata":{"wallet_id":"' .. w .. '","workspace_id":"' .. w .. '"}}}}'
	local t = tostring(os.time())
	return wrk.format("POST", nil, {
		["Content-Type"] = "application/json",
		["Stripe-Signature"] = "t=" .. t .. ",v1=" .. hmac_hex(secret, t .. "." .. body),
	}, body)
end
