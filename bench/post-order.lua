-- wrk script for bench/compare.sh: every request POSTs the same valid order, the one of
-- the seed's design document ("Contrato do Evento order_created"), as application/json
-- and without x-correlation-id, so each gateway makes a fresh correlation id (and a new
-- event) per request.
--
--   wrk -t2 -c64 -d30s --latency -s bench/post-order.lua http://127.0.0.1:3100/orders

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"customerId":"06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf",'
  .. '"items":[{"sku":"SKU-1","quantity":2}],"totalAmount":150}'

-- After wrk's own report, one line that compare.sh collects into its summary table.
-- Any answer but 2xx/3xx (wrk counts those as status errors) is a failed order.
function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.0f non2xx=%d socket_errors=%d "
      .. "p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    summary.requests, seconds, summary.requests / seconds, e.status,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3))
end
