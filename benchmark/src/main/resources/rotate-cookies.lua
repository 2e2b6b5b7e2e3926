-- wrk script of the speed benchmark: every request carries the Cookie header of the next session of the
-- list, rotating through all of them; each wrk thread starts at its own offset.
-- Arguments (after --): <path or "mix"> <file with one "NAME=VALUE" cookie per line>
-- "mix" alternates /counter and /read (the warm-up).

local next_thread = 0

function setup(thread)
  thread:set("thread_index", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  path = args[1]
  cookies = {}
  for line in io.lines(args[2]) do
    cookies[#cookies + 1] = line
  end
  index = ((thread_index or 0) * 7919) % #cookies
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
