-- Random requests from a TSV file: method, path, cookie, body (one a line).
-- "{EVENT}" in a body becomes a fresh progress-event id for every request.
-- wrk ... -s requests.lua URL -- FILE EXPECTED_STATUS

package.path = debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua;" .. package.path
require("common")

local lines = {}
local expected = 200
local counter = 0
local prefix = ""
local accept = "gzip, deflate, br"

function init(args)
  for line in io.lines(args[1]) do
    local method, path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    table.insert(lines, { method = method, path = path, cookie = cookie, body = body })
  end
  expected = tonumber(args[2]) or 200
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
  prefix = string.format("wrk%x%06x", os.time(), math.random(0, 0xFFFFFF))
end

function request()
  local r = lines[math.random(#lines)]
  local headers = { ["Accept-Encoding"] = accept }
  if r.cookie ~= "" then
    headers["Cookie"] = r.cookie
  end
  if r.method == "POST" then
    counter = counter + 1
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    local body = (r.body:gsub("{EVENT}", prefix .. counter))
    return wrk.format("POST", r.path, headers, body)
  end
  return wrk.format("GET", r.path, headers)
end

function response(status, headers, body)
  check(status, headers, expected)
end
