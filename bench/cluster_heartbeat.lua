-- wrk script for bench/cluster.sh: POST /api/v1/playback/heartbeat for many
-- live sessions of many accounts, each with its owner's token, round robin.
--
-- Environment (set by bench/cluster.sh):
--   SV_TOKENS    file: one user token per line (line k = user index k)
--   SV_SESSIONS  file: "<session id> <user index>" per line
--   SV_TAIL_USER sessions of this user index form the tail set
--   SV_MAIN_FOR  seconds, counted from this wrk process's own start, after
--                which only tail sessions are sent
--   SV_PART, SV_PARTS  this wrk process's share (several wrk processes,
--                one per node): sessions i with i % (PARTS * threads) ==
--                PART * threads + thread
--   SV_OUT       file written by done(): counts and latency quantiles
--
-- "No heartbeat lost" needs an exact count of the 200s of the sessions
-- checked: wrk stops with requests in flight, which the server may have
-- counted without wrk seeing the answer. So from SV_MAIN_FOR seconds after
-- the thread's start (two seconds before the end) only the tail sessions
-- are sent: every heartbeat of
-- the main set is answered before wrk stops, and response() counts the 200s
-- per set from the session_id of the answer. bench/cluster.sh compares the
-- main set's count with the sum of `heartbeats` in the sessions table.

local lib = dofile(os.getenv("SV_WRK_LIB"))
setup = lib.setup

local function lines(path)
    local t = {}
    local f = assert(io.open(path, "r"))
    for l in f:lines() do
        t[#t + 1] = l
    end
    f:close()
    return t
end

function init(args)
    local part = tonumber(os.getenv("SV_PART") or "0")
    local parts = tonumber(os.getenv("SV_PARTS") or "1")
    local nthr = tonumber(os.getenv("SV_THREADS") or "1")
    local tail_user = os.getenv("SV_TAIL_USER") or "0"
    -- From the thread's own start: a wrk process that starts late on a busy
    -- machine still switches to the tail set well before it stops.
    main_end = os.time() + tonumber(os.getenv("SV_MAIN_FOR"))
    local tokens = lines(os.getenv("SV_TOKENS"))
    local sessions = lines(os.getenv("SV_SESSIONS"))
    local stride = parts * nthr
    local mine = part * nthr + tid
    main_req, tail_req, tail_ids = {}, {}, {}
    for i, l in ipairs(sessions) do
        local sid, user = l:match("^(%S+) (%d+)$")
        if ((i - 1) % stride) == mine or user == tail_user then
            local body = string.format(
                '{"session_id":"%s","position_s":%d.5,"bitrate_kbps":2800,"buffer_s":24.5,' ..
                '"rebuffer_count":0,"rebuffer_s":0,"dropped_frames":%d,"cdn":"edge1"}',
                sid, i % 3600, i % 13)
            local req = wrk.format("POST", "/api/v1/playback/heartbeat",
                {["Content-Type"] = "application/json",
                 ["Authorization"] = "Bearer " .. tokens[tonumber(user) + 1]}, body)
            if user == tail_user then
                tail_req[#tail_req + 1] = req
                tail_ids[sid] = true
            else
                main_req[#main_req + 1] = req
            end
        end
    end
    assert(#main_req > 0 and #tail_req > 0, "no sessions for this thread")
    -- Each thread starts at another place in its list.
    n_main, n_tail = 0, 0
    sent_main, sent_tail = 0, 0
    ok_main, ok_tail, ans_main, ans_tail, bad = 0, 0, 0, 0, 0
    shown = 0
    clock_check = 0
    tailing = false
    -- wrk calls request() once more in its first thread, right after init,
    -- to check the request (script_verify_request): that one is never sent.
    verify_call = (tid == 0)
end

function request()
    if verify_call then
        verify_call = false
        return main_req[1]
    end
    if not tailing then
        clock_check = clock_check + 1
        if clock_check >= 64 then
            clock_check = 0
            tailing = os.time() >= main_end
        end
    end
    if tailing then
        n_tail = n_tail % #tail_req + 1
        sent_tail = sent_tail + 1
        return tail_req[n_tail]
    end
    n_main = n_main % #main_req + 1
    sent_main = sent_main + 1
    return main_req[n_main]
end

function response(status, headers, body)
    local sid = body:match('"session_id":"(%x+)"')
    local tail = sid ~= nil and tail_ids[sid]
    if tail then
        ans_tail = ans_tail + 1
    else
        ans_main = ans_main + 1
    end
    if status == 200 and sid then
        if tail then ok_tail = ok_tail + 1 else ok_main = ok_main + 1 end
    else
        bad = bad + 1
        if shown < 3 then
            shown = shown + 1
            io.stderr:write("heartbeat answered " .. status .. ": " .. body:sub(1, 200) .. "\n")
        end
    end
end

function done(summary, latency, requests)
    lib.done(summary, latency,
        {"sent_main", "sent_tail", "ok_main", "ok_tail", "ans_main", "ans_tail", "bad"})
end
