-- Usage: lua5.4 run_action.lua SCENARIO.lua ACTION.lua
-- Loads the fake REAPER, lets the scenario build a project, runs the action and its defer loop,
-- and prints the resulting project as JSON.
local here = arg[0]:match("^(.*[/\\])") or "./"
local F = dofile(here .. "fake_reaper.lua")
reaper, gfx = F.reaper, F.gfx
dofile(arg[1])(F)
dofile(arg[2])
F.run_deferred(tonumber(os.getenv("FAKE_REAPER_TIMEOUT") or "240"))
print(F.dump())
