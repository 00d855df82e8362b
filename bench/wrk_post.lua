-- wrk script for bench/serving_bench.py: POST one JSON body per line of $BODIES in turn,
-- and print the latency percentiles as one JSON line.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local bodies = {}
local n = 0
for line in io.lines(os.getenv("BODIES")) do n = n + 1; bodies[n] = line end
local i = 0
request = function()
  i = i % n + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
done = function(summary, latency, requests)
  io.write(string.format("JSON {\"p50_ms\": %.3f, \"p90_ms\": %.3f, \"p99_ms\": %.3f, \"requests\": %d, \"errors\": %d, \"non2xx\": %d}\n",
    latency:percentile(50)/1000, latency:percentile(90)/1000, latency:percentile(99)/1000, summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end
