-- @description nr-bridge: Denoise selected items (new take)
-- @author nr-bridge
-- @version 0.1.0
-- @license GPL-3.0-or-later
-- @about Denoises the used section of each selected audio item with nr-bridge and adds the clean
--   voice as a new active take (sample-aligned). The source media is never modified. Needs the
--   `nr-bridge` command (pip install nr-bridge); see README.
local dir = debug.getinfo(1, "S").source:match("^@?(.*[/\\])") or "./"
dofile(dir .. "nr_bridge_common.lua").run("take")
