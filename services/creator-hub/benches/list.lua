-- wrk script: GET <path> with the bearer token passed as the first script argument and the
-- request path (with its query) as the second.
local token, path
function init(args)
  token = args[1]
  path = args[2]
end
function request()
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
