// The panel's workflow, free of DOM: ask the host for the selected clips, denoise each clip's audio
// section through the server, then ask the host to import and place the stems.
// `evalScript(code) -> Promise<string>` is the only link to Premiere, so this runs in plain Node too.
'use strict';
const fs = require('fs');
const path = require('path');
const { runClipJobs } = require('./clip_jobs');

const OUTPUT_FOLDER = 'nr-bridge denoised';

function outputDirFor(selection, clip) {
  const base = selection.projectPath ? path.dirname(selection.projectPath) : path.dirname(clip.mediaPath);
  return path.join(base, OUTPUT_FOLDER);
}

// Runs one Denoise action. Reports through onUpdate({name, state, fraction, message}).
// Returns {promise: {placed, skipped, errors, cancelled}, cancel()}.
function runDenoise({ evalScript, client, stems = ['voice'], strengthDb = null, onUpdate = () => {} }) {
  let selection = null;
  return runClipJobs({
    onUpdate,
    select: async () => {
      selection = JSON.parse(await evalScript('nrb_getSelection()'));
      if (selection.error) throw new Error(selection.error);
      return { clips: selection.clips, skipped: selection.skipped.map((s) => ({ name: s.name, reason: s.reason })) };
    },
    problem: (clip) => (fs.existsSync(clip.mediaPath) ? null
      : { reason: `media file missing: ${clip.mediaPath}`, message: 'media file missing' }),
    denoiseClip: (clip, onProgress) => {
      const outputDir = outputDirFor(selection, clip);
      fs.mkdirSync(outputDir, { recursive: true });
      return client.denoiseSection({
        inputPath: clip.mediaPath, startSeconds: clip.inSeconds, endSeconds: clip.outSeconds, outputDir,
        baseName: path.basename(clip.mediaPath).replace(/\.[^.]*$/, ''), stems, strengthDb, label: clip.name, onProgress,
      });
    },
    place: async (results) => {
      const request = JSON.stringify({ stems, results });
      const reply = JSON.parse(await evalScript(`nrb_placeResults(${JSON.stringify(request)})`));
      if (reply.error) throw new Error(reply.error);
      return reply;
    },
  });
}

module.exports = { runDenoise, OUTPUT_FOLDER };
