'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { makeApp, loadHost, ProjectItem, ProjectItemType, Sequence, Track, TrackItem, TICKS } = require('./fake_premiere');
const { writeTestWav } = require('./helpers');

function project() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nrb-host-'));
  const { app, qe, root } = makeApp({ projectPath: path.join(dir, 'edit.prproj') });
  const seq = new Sequence('Scene 1');
  seq._video.push(new Track('V1', 'Video'));
  seq._audio.push(new Track('A1', 'Audio'));
  app.project.activeSequence = seq;
  const media = path.join(dir, 'interview.wav');
  writeTestWav(media, 4, 48000, 2);
  const item = new ProjectItem('interview.wav', ProjectItemType.CLIP, media);
  root._children.push(item);
  return { dir, app, qe, root, seq, item };
}

function select(track, clip) { clip._selected = true; track._clips.push(clip); return clip; }

test('getSelection returns audio clips with ticks and seconds, and skips with reasons', () => {
  const { app, qe, seq, item, root } = project();
  // A linked A/V clip: both halves selected; only the audio half is denoised, silently.
  select(seq._video[0], new TrackItem(item, 'Video', { start: 10, inPoint: 1.5, outPoint: 3.5 }));
  select(seq._audio[0], new TrackItem(item, 'Audio', { start: 10, inPoint: 1.5, outPoint: 3.5 }));
  const videoOnly = new ProjectItem('broll.mp4', ProjectItemType.CLIP, '/media/broll.mp4');
  select(seq._video[0], new TrackItem(videoOnly, 'Video', { start: 20, inPoint: 0, outPoint: 2 }));
  const offline = new ProjectItem('lost.wav', ProjectItemType.CLIP, '/media/lost.wav', { offline: true });
  select(seq._audio[0], new TrackItem(offline, 'Audio', { start: 30, inPoint: 0, outPoint: 1 }));
  select(seq._audio[0], new TrackItem(item, 'Audio', { start: 40, inPoint: 0, outPoint: 1, speed: 2, name: 'fast' }));
  seq._audio[0]._clips.push(new TrackItem(item, 'Audio', { start: 50, inPoint: 0, outPoint: 1 }));  // not selected
  root._children.push(videoOnly, offline);
  const host = loadHost(app, qe);
  const selection = JSON.parse(host.nrb_getSelection());
  assert.strictEqual(selection.sequence, 'Scene 1');
  assert.strictEqual(selection.clips.length, 1);
  const [clip] = selection.clips;
  assert.strictEqual(clip.mediaPath, item.getMediaPath());
  assert.strictEqual(clip.inTicks, String(1.5 * TICKS));
  assert.strictEqual(clip.startTicks, String(10 * TICKS));
  assert.strictEqual(clip.inSeconds, 1.5);
  assert.strictEqual(clip.outSeconds, 3.5);
  assert.deepStrictEqual(selection.skipped.map((s) => s.reason), [
    'video only (no audio to denoise)', 'media offline', 'speed/duration changes are not supported yet']);
});

test('getSelection without an active sequence is an error for the user', () => {
  const { app, qe } = project();
  app.project.activeSequence = null;
  assert.match(JSON.parse(loadHost(app, qe).nrb_getSelection()).error, /No active sequence/);
});

test('placeResults imports into one Denoised bin and places stems on new tracks, originals untouched', () => {
  const { dir, app, qe, seq, item, root } = project();
  const original = select(seq._audio[0], new TrackItem(item, 'Audio', { start: 10, inPoint: 1.5, outPoint: 3.5 }));
  const voice = path.join(dir, 'interview-denoised.voice.wav');
  const noise = path.join(dir, 'interview-denoised.noise.wav');
  writeTestWav(voice, 2, 48000, 2);
  writeTestWav(noise, 2, 48000, 2);
  const host = loadHost(app, qe);
  const request = { stems: ['voice', 'noise'], results: [{ name: 'interview', startSeconds: 10, files: { voice, noise } }] };
  const reply = JSON.parse(host.nrb_placeResults(JSON.stringify(request)));
  assert.deepStrictEqual(reply.errors, []);
  assert.strictEqual(reply.placed.length, 2);
  const bins = root._children.filter((c) => c.type === ProjectItemType.BIN && c.name === 'Denoised');
  assert.strictEqual(bins.length, 1);
  assert.deepStrictEqual(bins[0]._children.map((c) => c.getMediaPath()), [voice, noise]);
  assert.strictEqual(seq._audio.length, 3);
  assert.deepStrictEqual(seq._audio.map((t) => t.name), ['A1', 'nr-bridge voice', 'nr-bridge noise']);
  for (const [track, file] of [[seq._audio[1], voice], [seq._audio[2], noise]]) {
    assert.strictEqual(track._clips.length, 1);
    assert.strictEqual(track._clips[0].projectItem.getMediaPath(), file);
    assert.strictEqual(track._clips[0].start.ticks, String(10 * TICKS));
    assert.strictEqual(track._clips[0].end.seconds, 12);
  }
  assert.deepStrictEqual(seq._audio[0]._clips, [original]);
  assert.strictEqual(original.start.seconds, 10);
  // A second run reuses the bin and adds new tracks again (never overwriting earlier results).
  host.nrb_placeResults(JSON.stringify({ stems: ['voice'], results: [{ name: 'x', startSeconds: 10, files: { voice } }] }));
  assert.strictEqual(root._children.filter((c) => c.name === 'Denoised').length, 1);
  assert.strictEqual(seq._audio.length, 4);
  assert.strictEqual(seq._audio[1]._clips.length, 1);
});

test('a missing result file is reported, nothing placed for it', () => {
  const { app, qe, seq } = project();
  const host = loadHost(app, qe);
  const reply = JSON.parse(host.nrb_placeResults(JSON.stringify({
    stems: ['voice'], results: [{ name: 'gone', startSeconds: 1, files: { voice: '/nonexistent/x.wav' } }] })));
  assert.deepStrictEqual(reply.errors, ['gone: import failed']);
  assert.strictEqual(seq._audio[1]._clips.length, 0);
});
