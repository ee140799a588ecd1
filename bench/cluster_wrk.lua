-- Shared by bench/cluster.sh's wrk scripts (cluster_start.lua,
-- cluster_heartbeat.lua), loaded with dofile(os.getenv("SV_WRK_LIB")):
--   lib.setup(thread)      numbers the threads (their "tid", from 0)
--   lib.done(summary, latency, keys)
--                          writes SV_OUT: requests, duration_us,
--                          socket_errors, status_errors, each counter named
--                          in keys summed over the threads, and 1000
--                          latency quantiles ("q <us>"), so that the runs of
--                          several wrk processes can be merged
local lib = {}
local threads = {}

function lib.setup(thread)
    thread:set("tid", #threads)
    table.insert(threads, thread)
end

function lib.done(summary, latency, keys)
    local f = assert(io.open(os.getenv("SV_OUT"), "w"))
    local e = summary.errors
    f:write(string.format("requests %d\nduration_us %d\n", summary.requests, summary.duration))
    f:write(string.format("socket_errors %d\nstatus_errors %d\n",
        e.connect + e.read + e.write + e.timeout, e.status))
    for _, k in ipairs(keys) do
        local sum = 0
        for _, thread in ipairs(threads) do
            sum = sum + (thread:get(k) or 0)
        end
        f:write(string.format("%s %d\n", k, sum))
    end
    for i = 1, 1000 do
        f:write(string.format("q %d\n", latency:percentile(i / 10)))
    end
    f:close()
end

return lib
