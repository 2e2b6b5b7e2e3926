-- wrk script of the speed benchmark: every request carries the Cookie header of the next session of the
-- list, rotating; each wrk thread has its own share of the sessions (every n-th one), so that two
-- threads never send requests of one session at the same time: a lost update is then a real one, not
-- the documented last-writer-wins of two overlapping changes of one attribute in merge mode.
-- Within a thread a session comes back only after requests for all its other sessions were sent, so
-- only a request slower than a whole rotation could overlap the next one of its session.
-- Arguments (after --): <path or "mix"> <file with one "NAME=VALUE" cookie per line> <wrk threads>
-- "mix" alternates /counter and /read (the warm-up).

local next_thread = 0

function setup(thread)
  thread:set("thread_index", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  path = args[1]
  local threads = tonumber(args[3] or "1")
  local mine = thread_index or 0
  cookies = {}
  local n = 0
  for line in io.lines(args[2]) do
    if n % threads == mine then
      cookies[#cookies + 1] = line
    end
    n = n + 1
  end
  index = 0
  flip = false
end

function request()
  index = index % #cookies + 1
  local p = path
  if p == "mix" then
    flip = not flip
    if flip then p = "/counter" else p = "/read" end
  end
  return wrk.format("GET", p, { ["Cookie"] = cookies[index] })
end
