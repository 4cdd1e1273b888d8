-- wrk script: GET /me with the bearer token passed as the first script argument.
local token
function init(args)
  token = args[1]
end
function request()
  return wrk.format("GET", "/api/v1/auth/me", { ["Authorization"] = "Bearer " .. token })
end
