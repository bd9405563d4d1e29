// The panel's workflow on Premiere's UXP API (`require('premierepro')`, Premiere 25.6+), free of DOM:
// read the selected audio clips of the active sequence, denoise each clip's section through the
// server's HTTP API, write the stems next to the project, import them into a "Denoised" bin and
// overwrite them onto new audio tracks at the clips' sequence times. The original clips are never
// touched. Same contract as denoise_job.js (CEP): runDenoise(...) -> { promise, cancel }.
'use strict';
const { runClipJobs } = require('./clip_jobs');

const BIN_NAME = 'Denoised';
const OUTPUT_FOLDER = 'nr-bridge denoised';

function dirname(file) {
  const cut = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return cut > 0 ? file.slice(0, cut) : file;
}

function basename(file) {
  return file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
}

function join(dir, name) {
  return dir + (dir.includes('\\') && !dir.includes('/') ? '\\' : '/') + name;
}

// Every premierepro mutation: created and executed inside one undoable transaction, under the lock.
function transact(project, undoName, makeActions) {
  let ok = false;
  project.lockedAccess(() => {
    ok = project.executeTransaction((compound) => {
      for (const action of makeActions()) compound.addAction(action);
    }, undoName);
  });
  if (ok === false) throw new Error(`Premiere refused: ${undoName}`);
}

// ClipProjectItem.cast of anything that is not a clip (a bin, a sequence): null, not an exception.
function castClip(ppro, item) {
  try { return item ? ppro.ClipProjectItem.cast(item) : null; } catch (error) { return null; }
}

// -> { project, sequence, clips: [{name, mediaPath, inSeconds, outSeconds, startSeconds}], skipped }
async function readSelection(ppro) {
  const project = await ppro.Project.getActiveProject();
  if (!project) throw new Error('No open project.');
  const sequence = await project.getActiveSequence();
  if (!sequence) throw new Error('No active sequence: open a sequence and select clips.');
  const selected = await (await sequence.getSelection()).getTrackItems();
  const clips = [];
  const skipped = [];
  const tracks = await sequence.getAudioTrackCount();
  for (let t = 0; t < tracks; t++) {
    const track = await sequence.getAudioTrack(t);
    for (const item of await track.getTrackItems(ppro.Constants.TrackItemType.CLIP, false)) {
      if (!(await item.getIsSelected())) continue;
      const name = await item.getName();
      const clip = castClip(ppro, await item.getProjectItem());
      if (!clip || await clip.isSequence()) { skipped.push({ name, reason: 'not a media clip (nested sequence?)' }); continue; }
      if (await clip.isOffline()) { skipped.push({ name, reason: 'media offline' }); continue; }
      if (Math.abs((await item.getSpeed()) - 1) > 1e-6) {
        skipped.push({ name, reason: 'speed/duration changes are not supported yet' });
        continue;
      }
      clips.push({
        name, mediaPath: await clip.getMediaFilePath(), track: t,
        inSeconds: (await item.getInPoint()).seconds, outSeconds: (await item.getOutPoint()).seconds,
        startSeconds: (await item.getStartTime()).seconds,
      });
    }
  }
  if (selected.length > 0 && clips.length === 0 && skipped.length === 0) {
    throw new Error('The selected clips have no audio: select clips on audio tracks.');
  }
  return { project, sequence, clips, skipped };
}

// NAME-denoised.STEM.wav in `dir`, numbered so that nothing existing is overwritten.
async function uniqueStemPaths(files, dir, baseName, stems) {
  for (let n = 1; ; n++) {
    const tag = n === 1 ? '' : `-${n}`;
    const paths = {};
    for (const stem of stems) paths[stem] = join(dir, `${baseName}-denoised${tag}.${stem}.wav`);
    const taken = await Promise.all(Object.values(paths).map((p) => files.exists(p)));
    if (!taken.some(Boolean)) return paths;
  }
}

async function denoisedBin(ppro, project) {
  const root = await project.getRootItem();
  const find = async () => (await root.getItems()).find((i) => i.type === ppro.ProjectItem.TYPE_BIN && i.name === BIN_NAME);
  if (!(await find())) transact(project, 'nr-bridge: create Denoised bin', () => [root.createBinAction(BIN_NAME, false)]);
  const bin = await find();
  if (!bin) throw new Error(`could not create the ${BIN_NAME} bin`);
  return ppro.FolderItem.cast(bin);
}

async function findByPath(ppro, bin, file) {
  for (const item of await bin.getItems()) {
    const clip = item.type === ppro.ProjectItem.TYPE_BIN ? null : castClip(ppro, item);
    if (clip && (await clip.getMediaFilePath()) === file) return clip;
  }
  return null;
}

// Imports the stem files and overwrites them onto new audio tracks (one per stem), one undo step.
async function placeResults(ppro, project, sequence, results, stems) {
  const bin = await denoisedBin(ppro, project);
  const placed = [];
  const errors = [];
  const firstNewTrack = await sequence.getAudioTrackCount();
  const edits = [];
  for (const result of results) {
    for (const stem of stems) {
      const file = result.files[stem];
      const item = (await project.importFiles([file], true, bin, false)) ? await findByPath(ppro, bin, file) : null;
      if (!item) { errors.push(`${result.name}: could not import ${file}`); continue; }
      edits.push({ item, stem, result, track: firstNewTrack + stems.indexOf(stem) });
    }
  }
  if (edits.length) {
    const editor = ppro.SequenceEditor.getEditor(sequence);
    // An audio track index past the last track makes Premiere add the track.
    transact(project, 'nr-bridge: place denoised stems', () => edits.map((e) =>
      editor.createOverwriteItemAction(e.item, ppro.TickTime.createWithSeconds(e.result.startSeconds), 0, e.track)));
    for (const e of edits) placed.push({ name: e.result.name, stem: e.stem, path: e.result.files[e.stem],
                                         startSeconds: e.result.startSeconds, audioTrack: e.track });
  }
  return { placed, errors };
}

// files: { exists(path), mkdir(path), writeAtomic(path, arrayBuffer) } (the host's file system).
function runDenoise({ ppro, client, files, stems = ['voice'], strengthDb = null, onUpdate = () => {} }) {
  let scene = null;
  return runClipJobs({
    onUpdate,
    select: async () => { scene = await readSelection(ppro); return scene; },
    denoiseClip: (clip, onProgress) => {
      const job = client.denoiseSection({ mediaPath: clip.mediaPath, startSeconds: clip.inSeconds,
                                          endSeconds: clip.outSeconds, stems, strengthDb, label: clip.name, onProgress });
      const written = job.promise.then(async (audio) => {
        const outputDir = join(dirname(scene.project.path || clip.mediaPath), OUTPUT_FOLDER);
        await files.mkdir(outputDir);
        const paths = await uniqueStemPaths(files, outputDir, basename(clip.mediaPath).replace(/\.[^.]*$/, ''), stems);
        for (const stem of stems) await files.writeAtomic(paths[stem], audio[stem]);
        return paths;
      });
      return { promise: written, cancel: job.cancel };
    },
    place: (results) => placeResults(ppro, scene.project, scene.sequence, results, stems),
  });
}

module.exports = { runDenoise, readSelection, BIN_NAME, OUTPUT_FOLDER };
