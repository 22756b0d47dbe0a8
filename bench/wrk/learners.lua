-- wrk script: every request is made as one of the seeded learners, in turn, so sessions,
-- history pages and answers are spread over all of them as with real traffic.
-- Environment: BENCH_SESSIONS (the file `promptedcode seed` wrote), BENCH_ORIGIN,
-- BENCH_METHOD (GET or POST), BENCH_PATH, BENCH_BODY (for a POST; "answer" posts an answer to
-- the learner's next open challenge, each challenge once; BENCH_OPEN_OFFSET skips those
-- earlier runs answered).
local sessions = {}
for line in io.lines(os.getenv("BENCH_SESSIONS")) do
  local token, ids = line:match("^(%x+),(.*)$")
  if token then
    local open = {}
    for id in ids:gmatch("%d+") do open[#open + 1] = id end
    sessions[#sessions + 1] = { token = token, open = open, next = 1 }
  end
end

local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/"
local body = os.getenv("BENCH_BODY")
local origin = os.getenv("BENCH_ORIGIN")
-- Where this run starts in each learner's open challenges (runs must not answer one twice).
local offset = tonumber(os.getenv("BENCH_OPEN_OFFSET") or "0")
for _, learner in ipairs(sessions) do learner.next = offset + 1 end

local threads = {}
function setup(thread)
  thread:set("thread_index", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  thread_count = tonumber(os.getenv("BENCH_THREADS") or "2")
  -- Each thread takes every thread_count-th learner, so no two threads answer one challenge.
  cursor = thread_index + 1
end

function request()
  local learner = sessions[cursor]
  cursor = cursor + thread_count
  if cursor > #sessions then cursor = thread_index + 1 end
  local headers = { ["Cookie"] = "pc_session=" .. learner.token }
  if method == "GET" then
    return wrk.format("GET", path, headers)
  end
  headers["Origin"] = origin
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  local payload = body
  if body == "answer" then
    local id = learner.open[learner.next]
    learner.next = learner.next + 1
    if id == nil then error("out of open challenges: seed more with --open") end
    payload = "id=" .. id .. "&choice=" .. (tonumber(id) % 4)
  end
  return wrk.format("POST", path, headers, payload)
end
