-- @description nr-bridge: Denoise selected items (voice and noise stems on new tracks)
-- @author nr-bridge
-- @version 0.1.0
-- @license GPL-3.0-or-later
-- @about Denoises the used section of each selected audio item and places the voice and noise stems
--   on new tracks under the item's track, at the same position. Voice + noise = the original.
local dir = debug.getinfo(1, "S").source:match("^@?(.*[/\\])") or "./"
dofile(dir .. "nr_bridge_common.lua").run("stems")
