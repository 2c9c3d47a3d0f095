-- wrk script: each request DELETEs the next seeded task id, so every request is a delete hit
-- (200), never a 400 for a task already gone. Authenticates with X-Auth-Token.
--
--   wrk -t T -c C -d 300s -s bench/wrk/delete.lua http://127.0.0.1:PORT -- IDS_FILE TOKEN PROJECT_ID T
--   wrk -t T -c C -d 300s -s bench/wrk/delete.lua http://127.0.0.1:PORT -- SIGNED_FILE - PROJECT_ID T signed
--
-- With "signed", each line of the file is an id followed by tab-separated header name/value
-- pairs written by `bench-presign` (an AK/SK signature made ahead of time), and those headers
-- are sent instead of the token: the emulator verifies signatures, wrk signs nothing.
--
-- Thread k of T sends ids k, k+T, k+2T, ... of IDS_FILE, so the threads split the file with no
-- overlap. (wrk calls request() once on the first thread to check the script before the run,
-- so that thread's first id is never sent.) When a thread has sent its share it stops and
-- prints "wrk-thread-done" on stderr; the caller sends SIGINT once every thread has, because
-- wrk's main thread otherwise sleeps for the whole -d.
--
-- wrk's own duration is therefore useless; each thread times itself with CLOCK_MONOTONIC from
-- its first request to the moment its share is sent. done() prints one JSON line:
-- {"requests", "duration_seconds", "requests_per_second", "non_2xx", "socket_errors",
--  "latency_p50_us", "latency_p99_us"}, where requests is wrk's count of completed responses
-- (the last requests in flight when a thread stops, at most C/T, are not counted) and
-- duration_seconds runs from the first thread's first request to the last thread's stop.

local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1

local function now()
  local ts = ffi.new("bench_timespec")
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_index", counter)
  table.insert(threads, thread)
end

local requests = {}
local next_request = 1
local stopped = false
started_at = 0
stopped_at = 0

function init(args)
  local ids_file, token, project = args[1], args[2], args[3]
  local thread_total = tonumber(args[4])
  local signed = args[5] == "signed"
  if not signed then
    wrk.headers["X-Auth-Token"] = token
  end
  local index = 0
  for line in io.lines(ids_file) do
    if line ~= "" then
      index = index + 1
      if (index - thread_index) % thread_total == 0 then
        local id = line
        local headers = nil
        if signed then
          local fields = {}
          for field in string.gmatch(line, "[^\t]+") do
            fields[#fields + 1] = field
          end
          id = fields[1]
          headers = {}
          for i = 2, #fields - 1, 2 do
            -- wrk.format adds "Host" unless the table has that exact key.
            local name = fields[i] == "host" and "Host" or fields[i]
            headers[name] = fields[i + 1]
          end
        end
        requests[#requests + 1] = wrk.format("DELETE", "/v2/" .. project .. "/processor-tasks/" .. id, headers)
      end
    end
  end
end

function request()
  local r = requests[next_request]
  if r == nil then
    -- This thread's share is sent: stop it. wrk still wants a request to write; it is the last
    -- id again (answered 400 if it goes out at all) and is not part of the timed run.
    if not stopped then
      stopped = true
      stopped_at = now()
      wrk.thread:stop()
      io.stderr:write("wrk-thread-done\n")
      io.stderr:flush()
    end
    return requests[#requests]
  end
  if next_request == 1 and started_at == 0 then
    started_at = now()
  end
  next_request = next_request + 1
  return r
end

function done(summary, latency, requests)
  local first, last = nil, nil
  for _, thread in ipairs(threads) do
    local s, e = thread:get("started_at"), thread:get("stopped_at")
    if s and s > 0 and (first == nil or s < first) then first = s end
    if e and e > 0 and (last == nil or e > last) then last = e end
  end
  local seconds = (first and last and last > first) and (last - first) or (summary.duration / 1e6)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_seconds": %.6f, "requests_per_second": %.3f, "non_2xx": %d, "socket_errors": %d, "latency_p50_us": %d, "latency_p99_us": %d, "wrk_duration_seconds": %.6f}\n',
    summary.requests, seconds, summary.requests / seconds, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99), summary.duration / 1e6))
end
