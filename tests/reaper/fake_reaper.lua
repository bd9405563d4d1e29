-- A stand-in for REAPER's `reaper` and `gfx` API, modelling a small project the way the ReaScript
-- documentation describes it: tracks hold items, items hold takes, takes point at PCM sources.
-- Item/take properties are read and written through the documented *_Value keys. ExecProcess
-- really runs the command (timeout < 0: in the background, returning at once).
local F = { tracks = {}, messages = {}, undo = {}, undo_depth = 0, ext = {}, deferred = {},
            project_path = "/tmp", os = "Other", inputs = nil, getchar_script = {}, ui_refresh = 0 }

local function new_source(file, kind)
  return { file = file or "", kind = kind or "WAVE" }
end

function F.add_track(name)
  local track = { name = name, items = {} }
  table.insert(F.tracks, track)
  return track
end

function F.add_item(track, fields)
  local item = { position = fields.position or 0, length = fields.length or 1, selected = fields.selected ~= false,
                 takes = {}, track = track }
  if fields.source_file or fields.midi or fields.source_kind then
    local take = { source = new_source(fields.source_file, fields.midi and "MIDI" or fields.source_kind),
                   startoffs = fields.startoffs or 0, playrate = fields.playrate or 1, name = fields.name or "take",
                   midi = fields.midi or false, item = item }
    item.takes[1] = take
    item.active = take
  end
  table.insert(track.items, item)
  return item
end

local function selected_items()
  local list = {}
  for _, track in ipairs(F.tracks) do
    for _, item in ipairs(track.items) do if item.selected then list[#list + 1] = item end end
  end
  return list
end

local function track_index(track)
  for i, t in ipairs(F.tracks) do if t == track then return i end end
end

local R = {}
F.reaper = R

function R.GetOS() return F.os end
function R.CountSelectedMediaItems(proj) return #selected_items() end
function R.GetSelectedMediaItem(proj, i) return selected_items()[i + 1] end
function R.GetActiveTake(item) return item.active end
function R.TakeIsMIDI(take) return take.midi end
function R.GetMediaItemTake_Source(take) return take.source end
function R.GetMediaSourceType(source, buf) return source.kind end
function R.GetMediaSourceFileName(source, buf) return source.file end
function R.GetMediaItem_Track(item) return item.track end
function R.GetProjectPath(buf) return F.project_path end
function R.CountTracks(proj) return #F.tracks end
function R.GetTrack(proj, i) return F.tracks[i + 1] end

local ITEM_KEYS = { D_POSITION = "position", D_LENGTH = "length" }
local TAKE_KEYS = { D_STARTOFFS = "startoffs", D_PLAYRATE = "playrate" }
function R.GetMediaItemInfo_Value(item, key) return assert(item[ITEM_KEYS[key]], "unknown key " .. key) end
function R.SetMediaItemInfo_Value(item, key, value) item[assert(ITEM_KEYS[key], key)] = value return true end
function R.GetMediaItemTakeInfo_Value(take, key) return assert(take[TAKE_KEYS[key]], "unknown key " .. key) end
function R.SetMediaItemTakeInfo_Value(take, key, value) take[assert(TAKE_KEYS[key], key)] = value return true end
function R.GetMediaTrackInfo_Value(track, key)
  assert(key == "IP_TRACKNUMBER", key)
  return track_index(track)  -- 1-based, as documented
end
function R.GetSetMediaTrackInfo_String(track, key, value, set)
  assert(key == "P_NAME", key)
  if set then track.name = value end
  return true, track.name
end
function R.GetSetMediaItemTakeInfo_String(take, key, value, set)
  assert(key == "P_NAME", key)
  if set then take.name = value end
  return true, take.name
end
function R.InsertTrackAtIndex(index, defaults)  -- 0-based index of the new track
  assert(index >= 0 and index <= #F.tracks, "track index out of range")
  table.insert(F.tracks, index + 1, { name = "", items = {} })
end
function R.AddMediaItemToTrack(track)
  local item = { position = 0, length = 0, selected = false, takes = {}, track = track }
  table.insert(track.items, item)
  return item
end
function R.AddTakeToMediaItem(item)
  local take = { source = nil, startoffs = 0, playrate = 1, name = "", midi = false, item = item }
  table.insert(item.takes, take)
  if not item.active then item.active = take end
  return take
end
function R.PCM_Source_CreateFromFile(file) return new_source(file, "WAVE") end
function R.SetMediaItemTake_Source(take, source) take.source = source return true end
function R.SetActiveTake(take) take.item.active = take end

function R.HasExtState(section, key) return F.ext[section .. "/" .. key] ~= nil end
function R.GetExtState(section, key) return F.ext[section .. "/" .. key] or "" end
function R.SetExtState(section, key, value, persist) F.ext[section .. "/" .. key] = value end
function R.GetUserInputs(title, n, captions, defaults)
  F.last_inputs = { title = title, n = n, captions = captions, defaults = defaults }
  if F.inputs == nil then return false, defaults end
  return true, F.inputs
end
function R.ShowMessageBox(msg, title, kind) table.insert(F.messages, msg) return 1 end
function R.ShowConsoleMsg(msg) io.stderr:write(msg) end
function R.Undo_BeginBlock() F.undo_depth = F.undo_depth + 1 end
function R.Undo_EndBlock(label, flags)
  assert(F.undo_depth > 0, "Undo_EndBlock without Undo_BeginBlock")
  F.undo_depth = F.undo_depth - 1
  table.insert(F.undo, label)
end
function R.PreventUIRefresh(n) F.ui_refresh = F.ui_refresh + n end
function R.UpdateArrange() end
function R.defer(fn) table.insert(F.deferred, fn) return true end
function R.ExecProcess(cmd, timeout)
  F.commands = F.commands or {}
  table.insert(F.commands, cmd)
  if timeout < 0 then
    os.execute(cmd .. " >/dev/null 2>&1 &")
    return ""
  end
  local pipe = io.popen(cmd .. " 2>&1")
  local out = pipe:read("a")
  local _, _, code = pipe:close()
  return tostring(code or 0) .. "\n" .. out
end

local G = { w = 0, h = 0, x = 0, y = 0, calls = 0 }
F.gfx = G
function G.init(title, w, h) G.w, G.h, G.open = w, h, true end
function G.quit() G.open = false end
function G.getchar()
  G.calls = G.calls + 1
  local scripted = F.getchar_script[G.calls]
  if not G.open then return -1 end
  return scripted or 0
end
function G.set(...) end
function G.rect(...) end
function G.drawstr(s) G.last_text = s end
function G.update() end

-- Run deferred functions the way REAPER does (one pass per "frame") until none are left.
function F.run_deferred(max_seconds)
  local deadline = os.time() + max_seconds
  while #F.deferred > 0 do
    assert(os.time() <= deadline, "deferred loop did not finish in time")
    local batch = F.deferred
    F.deferred = {}
    for _, fn in ipairs(batch) do fn() end
    os.execute("sleep 0.05")
  end
end

local function encode(value, seen)
  local t = type(value)
  if t == "table" then
    local is_list = #value > 0 or next(value) == nil
    local parts = {}
    if is_list then
      for _, v in ipairs(value) do parts[#parts + 1] = encode(v) end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    for k, v in pairs(value) do parts[#parts + 1] = string.format("%q:%s", tostring(k), encode(v)) end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif t == "string" then
    return '"' .. value:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub("\n", "\\n") .. '"'
  elseif t == "number" or t == "boolean" then
    return tostring(value)
  end
  return "null"
end

-- The project as JSON: tracks, items, takes (with the active one), messages, undo blocks.
function F.dump()
  local tracks = {}
  for _, track in ipairs(F.tracks) do
    local items = {}
    for _, item in ipairs(track.items) do
      local takes, active = {}, 0
      for k, take in ipairs(item.takes) do
        takes[#takes + 1] = { file = take.source and take.source.file or "", startoffs = take.startoffs,
                              playrate = take.playrate, name = take.name }
        if take == item.active then active = k end
      end
      items[#items + 1] = { position = item.position, length = item.length, takes = takes, active = active }
    end
    tracks[#tracks + 1] = { name = track.name, items = items }
  end
  local ext = {}
  for k, v in pairs(F.ext) do ext[k] = v end
  return encode({ tracks = tracks, messages = F.messages, undo = F.undo, undo_depth = F.undo_depth,
                  ext = ext, commands = F.commands or {}, ui_refresh = F.ui_refresh })
end

return F
