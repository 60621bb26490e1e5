-- wrk script: every request POSTs a distinct Telegram update (private-chat message, about
-- 600 bytes, the same shape as bench/updates.py's private_message).
--   wrk -t1 -c40 -d10s -s bench/webhook.lua http://127.0.0.1:PORT -- PATH SECRET FIRST_ID
-- Each thread numbers its updates from FIRST_ID + thread * 10,000,000, so ids never repeat.

local question = "Good morning! Could you compare last week's sales at Riverside with the "
  .. "week before, tell me which three dishes sold best at Midtown on Saturday, and whether "
  .. "the reviews mentioning slow service have gone down since we added the second cook on "
  .. "weekends? A short summary I can forward to the area manager is perfect, thanks."

local template = '{"update_id":%d,"message":{"message_id":%d,"from":{"id":%d,"is_bot":false,'
  .. '"first_name":"Marta","last_name":"Silva","username":"marta_%d","language_code":"pt"},'
  .. '"chat":{"id":%d,"first_name":"Marta","last_name":"Silva","username":"marta_%d",'
  .. '"type":"private"},"date":%d,"text":"%s"}}'

local threads = {}
local path = "/"
local next_id = 0

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function init(args)
  path = args[1]
  next_id = tonumber(args[3]) + thread_index * 10000000
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-Telegram-Bot-Api-Secret-Token"] = args[2]
end

function request()
  next_id = next_id + 1
  local chat = 1000000 + next_id % 5000
  local body = string.format(
    template, next_id, next_id % 1000000 + 1, chat, chat, chat, chat,
    1764000000 + next_id % 86400, question
  )
  return wrk.format(nil, path, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,'
      .. '"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max
  ))
end
