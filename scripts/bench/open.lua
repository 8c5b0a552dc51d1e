-- wrk script: GET one draft, each connection pacing itself to one request every
-- BENCH_INTERVAL_MS, so that CONNECTIONS / interval is the offered rate (wrk alone is
-- closed-loop and would measure the most the server can take instead).
local cookie = os.getenv("BENCH_COOKIE")
local path = os.getenv("BENCH_PATH")
local interval = tonumber(os.getenv("BENCH_INTERVAL_MS") or "0")

function request()
  return wrk.format("GET", path, { ["Cookie"] = cookie })
end

function delay()
  return interval
end
