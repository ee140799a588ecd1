-- wrk script for bench/cluster.sh: POST /api/v1/playback/start over many
-- accounts, each request with its account's token. User u starts devices
-- "d0".."d<DEVICES-1>" in turn, so once every device has a session each
-- start replaces that device's session (a real start's catalog writes: end
-- the old row, insert the new one, under the account's lock) and the stream
-- limit (max-streams = DEVICES) is never hit. When the run is over, every
-- (user, device) pair it reached holds one live session: bench/cluster.sh
-- sends its heartbeats to those.
--
-- Environment (set by bench/cluster.sh):
--   SV_TOKENS   file: one user token per line (line k = user index k)
--   SV_TITLE    the title id
--   SV_DEVICES  devices per account (<= the accounts' max-streams)
--   SV_PART, SV_PARTS, SV_THREADS  this wrk process's and thread's share of
--               the accounts: u % (PARTS * THREADS) == PART * THREADS + thread
--   SV_OUT      file written by done(): counts and latency quantiles

local lib = dofile(os.getenv("SV_WRK_LIB"))
setup = lib.setup

function init(args)
    local part = tonumber(os.getenv("SV_PART") or "0")
    local parts = tonumber(os.getenv("SV_PARTS") or "1")
    local nthr = tonumber(os.getenv("SV_THREADS") or "1")
    local devices = tonumber(os.getenv("SV_DEVICES"))
    local title = os.getenv("SV_TITLE")
    local stride = parts * nthr
    local mine = part * nthr + tid
    users = {}
    local f = assert(io.open(os.getenv("SV_TOKENS"), "r"))
    local u = 0
    for tok in f:lines() do
        if u % stride == mine then
            local hdr = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tok}
            local reqs = {}
            for d = 0, devices - 1 do
                reqs[d + 1] = wrk.format("POST", "/api/v1/playback/start", hdr,
                    string.format('{"title_id":%s,"device_id":"d%d"}', title, d))
            end
            users[#users + 1] = reqs
        end
        u = u + 1
    end
    f:close()
    assert(#users > 0, "no accounts for this thread")
    ndev = devices
    n = 0
    ok, bad, shown = 0, 0, 0
end

function request()
    -- Accounts in turn, then the next device: consecutive starts of one
    -- account are #users requests apart.
    local u = n % #users
    local d = math.floor(n / #users) % ndev
    n = n + 1
    return users[u + 1][d + 1]
end

function response(status, headers, body)
    if status == 201 then
        ok = ok + 1
    else
        bad = bad + 1
        if shown < 3 then
            shown = shown + 1
            io.stderr:write("start answered " .. status .. ": " .. body:sub(1, 200) .. "\n")
        end
    end
end

function done(summary, latency, requests)
    lib.done(summary, latency, {"ok", "bad"})
end
