-- wrk script of bench/api.py: loads one endpoint and prints one JSON line of results.
--
-- Arguments after `--`:  METHOD PATH IDS_FILE TOKEN BODY_FILE   ("-" means none)
--   PATH may contain {id}; each request then takes a random line of IDS_FILE.
--   TOKEN is sent as "Authorization: Bearer TOKEN"; BODY_FILE as a JSON body.
-- done() prints "BENCH_RESULT {...}" with latency in microseconds and the count of non-2xx
-- responses by status (wrk itself only counts statuses >= 400).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

local fixed_request, method, path, ids, headers, body
non2xx = {}

local function read_file(name)
  local file = assert(io.open(name, "r"))
  local text = file:read("*a")
  file:close()
  return text
end

local function read_lines(name)
  local lines = {}
  for line in io.lines(name) do
    if line ~= "" then table.insert(lines, line) end
  end
  assert(#lines > 0, "no ids in " .. name)
  return lines
end

function init(args)
  method, path = args[1], args[2]
  headers = {}
  if args[3] ~= "-" then ids = read_lines(args[3]) end
  if args[4] ~= "-" then headers["Authorization"] = "Bearer " .. args[4] end
  if args[5] ~= "-" then
    body = read_file(args[5])
    headers["Content-Type"] = "application/json"
  end
  math.randomseed(os.time() + 7919 * thread_number)
  if not ids then fixed_request = wrk.format(method, path, headers, body) end
end

function request()
  if fixed_request then return fixed_request end
  local id = ids[math.random(#ids)]
  return wrk.format(method, (path:gsub("{id}", id)), headers, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx[status] = (non2xx[status] or 0) + 1
  end
end

local function merged_statuses()
  local merged, parts = {}, {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("non2xx") or {}) do
      merged[status] = (merged[status] or 0) + count
    end
  end
  for status, count in pairs(merged) do
    table.insert(parts, string.format('"%d":%d', status, count))
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,'
      .. '"connect":%d,"read":%d,"write":%d,"timeout":%d,"non2xx":%s}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    errors.connect, errors.read, errors.write, errors.timeout, merged_statuses()
  ))
end
