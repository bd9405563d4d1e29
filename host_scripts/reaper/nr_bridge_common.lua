-- @noindex
-- nr-bridge for REAPER: shared code of the actions (settings, jobs, the background CLI, results).
-- The actions run `nr-bridge denoise` (the command-line client, which talks to the local server and
-- starts it when needed) as a background process and poll its progress file from a reaper.defer loop.

local M = {}
M.SECTION = "nr_bridge"
-- start_timeout: seconds the command gets to report its process id before it counts as not started.
M.DEFAULTS = { server = "auto", strength = "", out_dir = "", command = "nr-bridge", start_timeout = "60" }

function M.setting(key)
  if reaper.HasExtState(M.SECTION, key) then return reaper.GetExtState(M.SECTION, key) end
  return M.DEFAULTS[key]
end

function M.file_exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

local function is_windows() return reaper.GetOS():match("Win") ~= nil end

local function quote(arg)
  if is_windows() then return '"' .. arg:gsub('"', '\\"') .. '"' end
  return "'" .. arg:gsub("'", "'\\''") .. "'"
end

local function basename(path) return (path:match("([^/\\]+)$") or path):gsub("%.[^.]*$", "") end

-- A file name in `folder` that does not exist yet: NAME-denoised.wav, NAME-denoised-2.wav, ...
function M.unique_path(folder, name, suffix)
  local n = 1
  while true do
    local tag = n == 1 and "" or ("-" .. n)
    local candidate = folder .. "/" .. name .. "-denoised" .. tag .. suffix
    local noise = candidate:gsub("%.wav$", ".noise.wav")
    if not M.file_exists(candidate) and not M.file_exists(noise) then return candidate end
    n = n + 1
  end
end

-- The selected items that can be denoised, and the reasons the others were skipped.
function M.collect_jobs()
  local jobs, skipped = {}, {}
  local out_dir = M.setting("out_dir")
  if out_dir == "" then out_dir = reaper.GetProjectPath("") end
  for i = 0, reaper.CountSelectedMediaItems(0) - 1 do
    local item = reaper.GetSelectedMediaItem(0, i)
    local take = reaper.GetActiveTake(item)
    local label = "item " .. (i + 1)
    if not take then
      skipped[#skipped + 1] = label .. ": empty item (no take)"
    elseif reaper.TakeIsMIDI(take) then
      skipped[#skipped + 1] = label .. ": MIDI item"
    else
      local source = reaper.GetMediaItemTake_Source(take)
      local file = reaper.GetMediaSourceFileName(source, "")
      if reaper.GetMediaSourceType(source, "") == "SECTION" then
        skipped[#skipped + 1] = label .. ": reversed or section source is not supported"
      elseif file == "" then
        skipped[#skipped + 1] = label .. ": no source file (empty or offline)"
      elseif not M.file_exists(file) then
        skipped[#skipped + 1] = label .. ": source file missing: " .. file
      else
        local length = reaper.GetMediaItemInfo_Value(item, "D_LENGTH")
        local offset = reaper.GetMediaItemTakeInfo_Value(take, "D_STARTOFFS")
        local rate = reaper.GetMediaItemTakeInfo_Value(take, "D_PLAYRATE")
        jobs[#jobs + 1] = {
          item = item, take = take, label = label, file = file,
          position = reaper.GetMediaItemInfo_Value(item, "D_POSITION"), length = length,
          rate = rate, start = offset, stop = offset + length * rate,
          output = M.unique_path(out_dir, basename(file), ".wav"),
        }
      end
    end
  end
  return jobs, skipped
end

function M.command_for(job, stems, progress_file)
  local args = { M.setting("command"), "denoise", quote(job.file),
    "--start", string.format("%.9f", job.start), "--end", string.format("%.9f", job.stop),
    "--output", quote(job.output), "--stems", stems, "--server", quote(M.setting("server")),
    "--progress-file", quote(progress_file) }
  local strength = M.setting("strength")
  if strength ~= "" then args[#args + 1] = "--strength " .. quote(strength) end
  return table.concat(args, " ")
end

-- The last facts in a progress file: pid, done/total, finished, error, outputs.
function M.read_progress(path)
  local state = {}
  local f = io.open(path, "r")
  if not f then return state end
  for line in f:lines() do
    state.pid = tonumber(line:match('"pid": (%d+)')) or state.pid
    local done, total = line:match('"done": (%d+), "total": (%d+)')
    if done then state.done, state.total = tonumber(done), tonumber(total) end
    if line:match('"finished": true') then state.finished = true end
    local err = line:match('"error": "(.-)"[,}]')
    if err then state.error = err:gsub('\\"', '"') end
    if line:match('"outputs"') then state.written = true end
  end
  f:close()
  return state
end

function M.kill(pid)
  if is_windows() then
    reaper.ExecProcess("taskkill /PID " .. pid .. " /T /F", 5000)
  else
    reaper.ExecProcess("kill " .. pid, 5000)
  end
end

local function add_take(item, file, rate, name)
  local take = reaper.AddTakeToMediaItem(item)
  reaper.SetMediaItemTake_Source(take, reaper.PCM_Source_CreateFromFile(file))
  reaper.SetMediaItemTakeInfo_Value(take, "D_STARTOFFS", 0)
  reaper.SetMediaItemTakeInfo_Value(take, "D_PLAYRATE", rate)
  reaper.GetSetMediaItemTakeInfo_String(take, "P_NAME", name, true)
  return take
end

local function stem_track(parent, name, created)
  local key = tostring(parent) .. name
  if created[key] then return created[key] end
  local index = math.floor(reaper.GetMediaTrackInfo_Value(parent, "IP_TRACKNUMBER"))  -- 1-based
  local offset = name == "Voice" and 0 or 1
  reaper.InsertTrackAtIndex(index + offset, true)
  local track = reaper.GetTrack(0, index + offset)
  local _, parent_name = reaper.GetSetMediaTrackInfo_String(parent, "P_NAME", "", false)
  reaper.GetSetMediaTrackInfo_String(track, "P_NAME", parent_name .. " " .. name, true)
  created[key] = track
  return track
end

-- Put the finished results into the project, all in one undo block.
function M.insert_results(done, mode)
  reaper.Undo_BeginBlock()
  reaper.PreventUIRefresh(1)
  local created = {}
  for _, job in ipairs(done) do
    local name = basename(job.file)
    if mode == "take" then
      reaper.SetActiveTake(add_take(job.item, job.output, job.rate, name .. " (denoised)"))
    else
      local parent = reaper.GetMediaItem_Track(job.item)
      local stems = { Voice = job.output, Noise = (job.output:gsub("%.wav$", ".noise.wav")) }
      for _, stem in ipairs({ "Voice", "Noise" }) do
        local track = stem_track(parent, stem, created)
        local item = reaper.AddMediaItemToTrack(track)
        reaper.SetMediaItemInfo_Value(item, "D_POSITION", job.position)
        reaper.SetMediaItemInfo_Value(item, "D_LENGTH", job.length)
        add_take(item, stems[stem], job.rate, name .. " (" .. stem:lower() .. ")")
      end
    end
  end
  reaper.PreventUIRefresh(-1)
  reaper.UpdateArrange()
  reaper.Undo_EndBlock(mode == "take" and "nr-bridge: denoise selected items (new take)"
    or "nr-bridge: denoise selected items (voice and noise stems)", -1)
end

local function report(lines)
  if #lines > 0 then reaper.ShowMessageBox(table.concat(lines, "\n"), "nr-bridge", 0) end
end

-- Denoise the selected items: mode "take" (new active take) or "stems" (voice/noise tracks).
function M.run(mode)
  local jobs, problems = M.collect_jobs()
  if #jobs == 0 then
    problems[#problems + 1] = "Nothing to denoise: select audio items first."
    report(problems)
    return
  end
  local stems = mode == "take" and "voice" or "voice,noise"
  local done, index, current, progress_file = {}, 0, nil, nil
  gfx.init("nr-bridge: denoising", 420, 70)

  local started_at
  local function start_next()
    index = index + 1
    current = jobs[index]
    progress_file = os.tmpname()
    os.remove(progress_file)
    started_at = os.time()
    reaper.ExecProcess(M.command_for(current, stems, progress_file), -2)
  end

  local function finish()
    gfx.quit()
    if #done > 0 then M.insert_results(done, mode) end
    report(problems)
  end

  local function poll()
    local state = M.read_progress(progress_file)
    local key = gfx.getchar()
    if key == 27 or key == -1 then  -- Esc or window closed: cancel
      if state.pid then M.kill(state.pid) end
      os.remove(progress_file)
      problems[#problems + 1] = "Cancelled: " .. #done .. " of " .. #jobs .. " items were done; nothing else changed."
      finish()
      return
    end
    local fraction = (state.total and state.total > 0) and state.done / state.total or 0
    gfx.set(0.15, 0.15, 0.15) gfx.rect(0, 0, gfx.w, gfx.h, 1)
    gfx.set(0.3, 0.7, 0.4) gfx.rect(10, 40, math.floor((gfx.w - 20) * fraction), 16, 1)
    gfx.set(1, 1, 1) gfx.x, gfx.y = 10, 12
    gfx.drawstr(string.format("Item %d of %d: %d%%  (Esc cancels)", index, #jobs, math.floor(fraction * 100)))
    gfx.update()
    if not state.pid and os.time() - started_at > (tonumber(M.setting("start_timeout")) or 60) then
      state.finished = true
      state.error = "nr-bridge did not start; check the command in the nr-bridge Settings action ("
        .. M.setting("command") .. ")"
    end
    if state.finished then
      os.remove(progress_file)
      if state.error then
        problems[#problems + 1] = current.label .. ": " .. state.error
      elseif state.written and M.file_exists(current.output) then
        done[#done + 1] = current
      else
        problems[#problems + 1] = current.label .. ": nr-bridge produced no output"
      end
      if index < #jobs then start_next() else finish() return end
    end
    reaper.defer(poll)
  end

  start_next()
  reaper.defer(poll)
end

function M.settings_dialog()
  local keys = { "server", "strength", "out_dir", "command" }
  local values = {}
  for i, key in ipairs(keys) do values[i] = M.setting(key) end
  local ok, answer = reaper.GetUserInputs("nr-bridge settings", 4,
    "Server (auto or host:port),Strength dB (empty: full),Output folder (empty: project),nr-bridge command,"
      .. "separator=|,extrawidth=200", table.concat(values, "|"))
  if not ok then return false end
  local fields, i = {}, 1
  for field in (answer .. "|"):gmatch("(.-)|") do fields[i] = field i = i + 1 end
  local strength = fields[2]
  if strength ~= "" and (tonumber(strength) == nil or tonumber(strength) < 0) then
    reaper.ShowMessageBox("Strength must be empty or a number of dB >= 0.", "nr-bridge", 0)
    return false
  end
  for k, key in ipairs(keys) do reaper.SetExtState(M.SECTION, key, fields[k] or "", true) end
  return true
end

return M
