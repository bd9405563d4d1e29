// The panel's workflow, free of DOM: ask the host for the selected clips, denoise each clip's audio
// section through the server, then ask the host to import and place the stems.
// `evalScript(code) -> Promise<string>` is the only link to Premiere, so this runs in plain Node too.
'use strict';
const fs = require('fs');
const path = require('path');

const OUTPUT_FOLDER = 'nr-bridge denoised';

function outputDirFor(selection, clip) {
  const base = selection.projectPath ? path.dirname(selection.projectPath) : path.dirname(clip.mediaPath);
  return path.join(base, OUTPUT_FOLDER);
}

// Runs one Denoise action. Reports through onUpdate({name, state, fraction, message}).
// Returns {placed, skipped, errors}. `job.cancel()` cancels the clip in flight and stops.
function runDenoise({ evalScript, client, stems = ['voice'], strengthDb = null, onUpdate = () => {} }) {
  let cancelled = false;
  let current = null;
  const promise = (async () => {
    const selection = JSON.parse(await evalScript('nrb_getSelection()'));
    if (selection.error) throw new Error(selection.error);
    const skipped = selection.skipped.map((s) => ({ name: s.name, reason: s.reason }));
    const errors = [];
    const results = [];
    for (const s of skipped) onUpdate({ name: s.name, state: 'skipped', fraction: 0, message: s.reason });
    if (selection.clips.length === 0 && skipped.length === 0) throw new Error('Select one or more clips with audio.');
    for (const clip of selection.clips) {
      if (cancelled) break;
      if (!fs.existsSync(clip.mediaPath)) {
        errors.push({ name: clip.name, reason: `media file missing: ${clip.mediaPath}` });
        onUpdate({ name: clip.name, state: 'error', fraction: 0, message: 'media file missing' });
        continue;
      }
      const outputDir = outputDirFor(selection, clip);
      fs.mkdirSync(outputDir, { recursive: true });
      onUpdate({ name: clip.name, state: 'running', fraction: 0, message: '' });
      current = client.denoiseSection({
        inputPath: clip.mediaPath, startSeconds: clip.inSeconds, endSeconds: clip.outSeconds, outputDir,
        baseName: path.basename(clip.mediaPath).replace(/\.[^.]*$/, ''), stems, strengthDb, label: clip.name,
        onProgress: (p) => onUpdate({ name: clip.name, state: 'running', fraction: Math.max(0, p.fraction),
                                      message: p.etaSeconds >= 0 ? `${Math.ceil(p.etaSeconds)} s left` : '' }),
      });
      try {
        const files = await current.promise;
        results.push({ name: clip.name, startSeconds: clip.startSeconds, files });
        onUpdate({ name: clip.name, state: 'done', fraction: 1, message: '' });
      } catch (error) {
        errors.push({ name: clip.name, reason: error.message });
        onUpdate({ name: clip.name, state: cancelled ? 'cancelled' : 'error', fraction: 0, message: error.message });
      }
      current = null;
    }
    let placed = [];
    if (results.length && !cancelled) {
      const request = JSON.stringify({ stems, results });
      const reply = JSON.parse(await evalScript(`nrb_placeResults(${JSON.stringify(request)})`));
      if (reply.error) throw new Error(reply.error);
      placed = reply.placed;
      for (const e of reply.errors) errors.push({ name: '', reason: e });
    }
    return { placed, skipped, errors, cancelled };
  })();
  return { promise, cancel() { cancelled = true; if (current) current.cancel(); } };
}

module.exports = { runDenoise, OUTPUT_FOLDER };
