// nr-bridge host script for Premiere Pro (ExtendScript, ES3).
// nrb_getSelection(): the selected clips of the active sequence as JSON.
// nrb_placeResults(json): import stem files into a "Denoised" bin and place them on new audio tracks
// at each clip's sequence time. Never replaces, moves or deletes an existing clip.

var NRB_TICKS_PER_SECOND = 254016000000;
var NRB_BIN_NAME = "Denoised";

function nrb_quote(s) {
  return '"' + String(s).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r") + '"';
}

// ExtendScript has no JSON object: a small serialiser for plain data.
function nrb_json(value) {
  var i, parts, key;
  if (value === null || value === undefined) return "null";
  if (typeof value === "number") return isFinite(value) ? String(value) : "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "string") return nrb_quote(value);
  if (value instanceof Array) {
    parts = [];
    for (i = 0; i < value.length; i++) parts.push(nrb_json(value[i]));
    return "[" + parts.join(",") + "]";
  }
  parts = [];
  for (key in value) {
    if (value.hasOwnProperty(key)) parts.push(nrb_quote(key) + ":" + nrb_json(value[key]));
  }
  return "{" + parts.join(",") + "}";
}

function nrb_seconds(time) { return Number(time.ticks) / NRB_TICKS_PER_SECOND; }

function nrb_getSelection() {
  var seq = app.project.activeSequence;
  if (!seq) return nrb_json({ error: "No active sequence: open a sequence and select clips." });
  var selection = seq.getSelection();
  var clips = [], skipped = [], audioKeys = {}, i, clip, item, key;
  for (i = 0; i < selection.length; i++) {
    clip = selection[i];
    if (clip.mediaType === "Audio" && clip.projectItem) audioKeys[clip.projectItem.nodeId + "@" + clip.start.ticks] = true;
  }
  for (i = 0; i < selection.length; i++) {
    clip = selection[i];
    item = clip.projectItem;
    if (!item) { skipped.push({ name: clip.name, reason: "not a media clip" }); continue; }
    key = item.nodeId + "@" + clip.start.ticks;
    if (clip.mediaType !== "Audio") {
      if (!audioKeys[key]) skipped.push({ name: clip.name, reason: "video only (no audio to denoise)" });
      continue;
    }
    if (item.isOffline()) { skipped.push({ name: clip.name, reason: "media offline" }); continue; }
    if (Math.abs(clip.getSpeed() - 1) > 1e-6) {
      skipped.push({ name: clip.name, reason: "speed/duration changes are not supported yet" });
      continue;
    }
    clips.push({
      name: clip.name, mediaPath: item.getMediaPath(), nodeId: item.nodeId,
      inTicks: String(clip.inPoint.ticks), outTicks: String(clip.outPoint.ticks), startTicks: String(clip.start.ticks),
      inSeconds: nrb_seconds(clip.inPoint), outSeconds: nrb_seconds(clip.outPoint), startSeconds: nrb_seconds(clip.start),
      speed: clip.getSpeed()
    });
  }
  var projectPath = app.project.path ? String(app.project.path) : "";
  return nrb_json({ sequence: seq.name, projectPath: projectPath, clips: clips, skipped: skipped });
}

function nrb_findBin(name) {
  var root = app.project.rootItem, i;
  for (i = 0; i < root.children.numItems; i++) {
    if (root.children[i].type === ProjectItemType.BIN && root.children[i].name === name) return root.children[i];
  }
  return root.createBin(name);
}

function nrb_findByPath(bin, path) {
  var i;
  for (i = 0; i < bin.children.numItems; i++) {
    if (bin.children[i].type !== ProjectItemType.BIN && bin.children[i].getMediaPath() === path) return bin.children[i];
  }
  return null;
}

// Appends one audio track (QE DOM) and returns it.
function nrb_addAudioTrack(seq) {
  var before = seq.audioTracks.numTracks;
  app.enableQE();
  qe.project.getActiveSequence().addTracks(0, 0, 1, 1, before, 0, 0);
  if (seq.audioTracks.numTracks !== before + 1) throw new Error("could not add an audio track");
  return seq.audioTracks[before];
}

// results: [{name, startSeconds, files: {voice: path, noise: path}}], stems: ["voice", ...]
function nrb_placeResults(json) {
  var request = eval("(" + json + ")");
  var seq = app.project.activeSequence;
  if (!seq) return nrb_json({ error: "No active sequence." });
  var bin = nrb_findBin(NRB_BIN_NAME);
  var tracks = {}, placed = [], errors = [], i, j, stem, result, path, item;
  for (j = 0; j < request.stems.length; j++) {
    tracks[request.stems[j]] = nrb_addAudioTrack(seq);
    tracks[request.stems[j]].name = "nr-bridge " + request.stems[j];
  }
  for (i = 0; i < request.results.length; i++) {
    result = request.results[i];
    for (j = 0; j < request.stems.length; j++) {
      stem = request.stems[j];
      path = result.files[stem];
      if (!app.project.importFiles([path], true, bin, false)) { errors.push(result.name + ": import failed"); continue; }
      item = nrb_findByPath(bin, path);
      if (!item) { errors.push(result.name + ": imported file not found in bin"); continue; }
      tracks[stem].overwriteClip(item, result.startSeconds);
      placed.push({ name: result.name, stem: stem, path: path, startSeconds: result.startSeconds });
    }
  }
  return nrb_json({ placed: placed, errors: errors });
}
