-- @description nr-bridge: Settings (server address, strength, output folder)
-- @author nr-bridge
-- @version 0.1.0
-- @license GPL-3.0-or-later
-- @about Stores the nr-bridge server address ("auto" starts a local server), the strength
--   (attenuation limit in dB, empty for full), the output folder and the nr-bridge command.
local dir = debug.getinfo(1, "S").source:match("^@?(.*[/\\])") or "./"
dofile(dir .. "nr_bridge_common.lua").settings_dialog()
