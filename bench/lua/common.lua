-- Shared by the wrk scripts: result as one JSON line, and the "unexpected response" counter.
-- Each wrk thread has its own Lua state; done() runs in yet another, so it sums the threads.

local threads = {}
unexpected = 0

function setup(thread)
  table.insert(threads, thread)
end

function check(status, headers, expected)
  local location = headers["location"] or headers["Location"] or ""
  if status ~= expected or string.find(location, "/masuk", 1, true) then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local bad, submits = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("unexpected") or 0)
    submits = submits + (thread:get("submits") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, '
      .. '"write": %d, "status": %d, "timeout": %d, "unexpected": %d, "p50": %d, "p95": %d, '
      .. '"p99": %d, "max": %d, "submits": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, bad, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, submits))
end
