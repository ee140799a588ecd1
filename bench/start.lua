-- wrk script: POST /api/v1/playback/start. Each connection is one device
-- (device_id "bench-<n>"), so a start replaces that device's previous
-- session (the catalog writes of a real start: end the old row, insert the
-- new one) and the account's stream limit is never reached.
local token = os.getenv("SV_TOKEN")
local title = os.getenv("SV_TITLE")
local counter = 0

setup = function(thread)
    thread:set("tid", counter)
    counter = counter + 1
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

local n = 0
request = function()
    n = n + 1
    local body = string.format('{"title_id":%s,"device_id":"bench-%s-%d"}', title, tid, n % 8)
    return wrk.format(nil, "/api/v1/playback/start", nil, body)
end

response = function(status, headers, body)
    if status ~= 201 then
        io.stderr:write("start answered " .. status .. ": " .. body .. "\n")
    end
end
