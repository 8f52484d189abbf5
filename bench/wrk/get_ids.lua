-- wrk: GET one object by id, ids read from the file named by IDS (one per line).
local ids = {}
local auth = os.getenv("AUTH") or ""
local prefix = os.getenv("PREFIX") or ""

function init(args)
  for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = line end
  wrk.headers["Accept"] = "application/taxii+json;version=2.1"
  wrk.headers["Authorization"] = auth
end

function request()
  return wrk.format("GET", prefix .. ids[math.random(1, #ids)] .. "/")
end
