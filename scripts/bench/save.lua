-- wrk script: each connection saves new versions of its own draft, chaining on the version
-- the last save returned and alternating two graphs, so every save is a real new version.
-- With BENCH_INTERVAL_MS, each connection sends one save per interval (the offered rate is
-- connections / interval); without it, as fast as answers come back.
local dir = os.getenv("BENCH_DIR")
local cookie = os.getenv("BENCH_COOKIE")
local interval = tonumber(os.getenv("BENCH_INTERVAL_MS") or "0")
local threads = {}
local counter = 0

local function read(path)
  local f = assert(io.open(path, "r"))
  local s = f:read("*a")
  f:close()
  return s
end

function setup(thread)
  counter = counter + 1
  local n = 0
  for line in io.lines(dir .. "/drafts") do
    n = n + 1
    if n == counter then
      local draft, base = line:match("(%S+) (%S+)")
      thread:set("draft", draft)
      thread:set("base", base)
    end
  end
  table.insert(threads, thread)
end

function init(args)
  graphs = { read(dir .. "/a.json"), read(dir .. "/b.json") }
  turn = 2
  saved, conflicts, failed = 0, 0, 0
end

function delay()
  return interval
end

function request()
  local body = '{"base_version":"' .. base .. '","content":' .. graphs[turn] .. '}'
  return wrk.format("POST", "/api/v1/drafts/" .. draft .. "/versions",
    { ["Content-Type"] = "application/json", ["Cookie"] = cookie }, body)
end

function response(status, headers, body)
  if status == 201 then
    base = body:match('"id":"([%x%-]+)"')
    turn = 3 - turn
    saved = saved + 1
  elseif status == 409 then
    conflicts = conflicts + 1
  else
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local s, c, f = 0, 0, 0
  for _, t in ipairs(threads) do
    s = s + t:get("saved")
    c = c + t:get("conflicts")
    f = f + t:get("failed")
  end
  io.write(string.format("saved %d, conflicts %d, other %d\n", s, c, f))
end
