-- Quiz submissions: POST .../tes/KEY/mulai (start), then POST the answers to the attempt the
-- server redirected to. Each line of the TSV file is one learner with one quiz of their own:
-- course code, quiz key, cookie, start body, submit body. One operation at a time per line, so
-- a redirect (start and submit both answer 303 to the attempt page) is never ambiguous.
-- wrk ... -s quiz.lua URL -- FILE

package.path = debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua;" .. package.path
require("common")

local entries = {}
local by_pair = {}
local queue = {}
submits = 0
local form = "application/x-www-form-urlencoded"
local accept = "gzip, deflate, br"

function init(args)
  for line in io.lines(args[1]) do
    local code, key, cookie, start, submit =
      line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local entry = { code = code, key = key, cookie = cookie, start = start, submit = submit,
                    state = "idle" }
    table.insert(entries, entry)
    by_pair[code .. "|" .. key] = entry
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

local function headers_for(entry)
  return { Cookie = entry.cookie, ["Content-Type"] = form, ["Accept-Encoding"] = accept }
end

function request()
  if #queue > 0 then
    local item = table.remove(queue, 1)
    item.entry.state = "submitting"
    return wrk.format("POST", item.path, headers_for(item.entry), item.entry.submit)
  end
  local entry = nil
  for _ = 1, 100 do
    local candidate = entries[math.random(#entries)]
    if candidate.state == "idle" then
      entry = candidate
      break
    end
  end
  entry = entry or entries[math.random(#entries)]
  entry.state = "starting"
  local path = "/kursus/" .. entry.code .. "/tes/" .. entry.key .. "/mulai"
  return wrk.format("POST", path, headers_for(entry), entry.start)
end

function response(status, headers, body)
  check(status, headers, 303)
  local location = headers["location"] or headers["Location"] or ""
  local code, key = location:match("/kursus/([^/]+)/tes/([^/]+)/%d+$")
  local entry = code and by_pair[code .. "|" .. key]
  if not entry then
    return
  end
  if entry.state == "starting" then
    entry.state = "queued"
    table.insert(queue, { entry = entry, path = location })
  else
    entry.state = "idle"
    submits = submits + 1
  end
end
