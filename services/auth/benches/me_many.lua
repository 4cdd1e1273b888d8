-- wrk script: GET /me with a different bearer token per request, read from a file of one token
-- a line. Arguments: <token file> <thread count>. Thread i takes every line whose number is i
-- modulo the thread count, so no two threads share a token and, until a thread has used its
-- whole slice, every request is the first sight of its token.
local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

local tokens = {}
local at = 0
function init(args)
  local threads = tonumber(args[2])
  local line = 0
  for token in io.lines(args[1]) do
    if line % threads == id then
      tokens[#tokens + 1] = token
    end
    line = line + 1
  end
end

function request()
  at = at % #tokens + 1
  return wrk.format("GET", "/api/v1/auth/me", { ["Authorization"] = "Bearer " .. tokens[at] })
end
