-- wrk script: POST /api/v1/playback/heartbeat for one session, as a player
-- sends it every heartbeat interval. bench/sessions.sh passes the user token
-- and the session id in SV_TOKEN and SV_SESSION.
local token = os.getenv("SV_TOKEN")
local session = os.getenv("SV_SESSION")
local n = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

request = function()
    n = n + 1
    local body = string.format(
        '{"session_id":"%s","position_s":%d.5,"bitrate_kbps":2800,"buffer_s":24.5,' ..
        '"rebuffer_count":0,"rebuffer_s":0,"dropped_frames":%d,"cdn":"edge1"}',
        session, n % 7200, n % 13)
    return wrk.format(nil, "/api/v1/playback/heartbeat", nil, body)
end

response = function(status, headers, body)
    if status ~= 200 then
        io.stderr:write("heartbeat answered " .. status .. ": " .. body .. "\n")
    end
end
