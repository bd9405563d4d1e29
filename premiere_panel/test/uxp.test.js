'use strict';
// The UXP plugin's workflow against a fake `premierepro` module (modelled on Adobe's UXP reference)
// and a real nr-bridge server's HTTP API on 127.0.0.1 (ephemeral port).
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { HttpDenoiseClient } = require('../js/http_client');
const { hostFiles } = require('../js/host_files');
const { runDenoise, BIN_NAME, OUTPUT_FOLDER } = require('../js/uxp_job');
const wav = require('../js/wav');
const { makePremierepro, Project, Sequence, ClipProjectItem, ClipTrackItem } = require('./fake_premierepro');
const { writeTestWav, startServer, readAll } = require('./helpers');

let server;
test.before(async () => { server = await startServer(); });
test.after(async () => { await server.stop(); });

const files = hostFiles(fs.promises);

// A project with one sequence: A1 holds the selected dialogue clip, A2 an unselected one, V1 a
// selected video-only clip, A3 a selected clip whose media is offline.
function scene(dir) {
  const project = new Project(path.join(dir, 'edit.prproj'));
  const seq = new Sequence('Scene');
  project.sequence = seq;
  const media = path.join(dir, 'dialog.wav');
  const original = writeTestWav(media, 6, 48000, 2);
  const dialog = project.root.add(new ClipProjectItem('dialog.wav', media));
  const [a1, a2, a3] = [seq.addAudioTrack(), seq.addAudioTrack(), seq.addAudioTrack()];
  const v1 = seq.addVideoTrack();
  const chosen = a1.add(new ClipTrackItem(dialog, { inSeconds: 1, outSeconds: 3.5, startSeconds: 30, selected: true }));
  const other = a2.add(new ClipTrackItem(dialog, { inSeconds: 0, outSeconds: 2, startSeconds: 31 }));
  v1.add(new ClipTrackItem(new ClipProjectItem('title.mov', '/nowhere/title.mov', { hasAudio: false, hasVideo: true, seconds: 5 }),
                           { startSeconds: 30, selected: true }));
  a3.add(new ClipTrackItem(new ClipProjectItem('lost.wav', '/nowhere/lost.wav', { offline: true, seconds: 3 }),
                           { startSeconds: 40, selected: true }));
  return { project, seq, media, original, chosen, other };
}

test('Denoise in UXP: stems written, imported into the Denoised bin and placed on new tracks', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nrb-uxp-'));
  const { project, seq, original, chosen, other } = scene(dir);
  const updates = [];
  const client = new HttpDenoiseClient(server.httpUrl, { pollMs: 50 });
  assert.strictEqual(await client.isUp(), true);
  const result = await runDenoise({ ppro: makePremierepro(project), client, files, stems: ['voice', 'noise'],
                                    onUpdate: (u) => updates.push(u) }).promise;
  assert.deepStrictEqual(result.errors, []);
  assert.deepStrictEqual(result.skipped, [{ name: 'lost.wav', reason: 'media offline' }]);
  assert.strictEqual(result.placed.length, 2);

  // Stem files next to the project; voice + noise is the clip's section, the voice really changed.
  const voiceFile = path.join(dir, OUTPUT_FOLDER, 'dialog-denoised.voice.wav');
  const noiseFile = path.join(dir, OUTPUT_FOLDER, 'dialog-denoised.noise.wav');
  const voice = readAll(voiceFile);
  const noise = readAll(noiseFile);
  assert.strictEqual(voice.info.sampleRate, 48000);
  assert.strictEqual(voice.info.channels, 2);
  assert.strictEqual(voice.info.frames, 2.5 * 48000);
  let maxError = 0;
  let noiseEnergy = 0;
  for (let i = 0; i < voice.samples.length; i++) {
    maxError = Math.max(maxError, Math.abs(voice.samples[i] + noise.samples[i] - original[48000 * 2 + i]));
    noiseEnergy += noise.samples[i] ** 2;
  }
  assert.ok(maxError < 1e-4, `voice + noise differs from the section by ${maxError}`);
  assert.ok(noiseEnergy > 0, 'the noise stem is silent: nothing was removed');
  assert.deepStrictEqual(fs.readdirSync(path.join(dir, OUTPUT_FOLDER)).sort(),
                         ['dialog-denoised.noise.wav', 'dialog-denoised.voice.wav']);

  // Imported into one new bin; placed on two new audio tracks at the clip's sequence time.
  const bins = project.root.children.filter((c) => c.name === BIN_NAME);
  assert.strictEqual(bins.length, 1);
  assert.deepStrictEqual(bins[0].children.map((c) => c.mediaPath).sort(), [noiseFile, voiceFile]);
  assert.strictEqual(seq.audioTracks.length, 5);
  for (const [index, file] of [[3, voiceFile], [4, noiseFile]]) {
    const [placed] = seq.audioTracks[index].items;
    assert.strictEqual(placed.projectItem.mediaPath, file);
    assert.strictEqual(placed.startSeconds, 30);
    assert.ok(Math.abs(placed.endSeconds - 32.5) < 1e-9);
  }
  // The originals are untouched, and placing the stems is one undo step.
  assert.deepStrictEqual(seq.audioTracks[0].items, [chosen]);
  assert.deepStrictEqual(seq.audioTracks[1].items, [other]);
  assert.strictEqual(fs.statSync(path.join(dir, 'dialog.wav')).size, 44 + 6 * 48000 * 4);
  assert.deepStrictEqual(project.undoStack.map((u) => u.name),
                         ['nr-bridge: create Denoised bin', 'nr-bridge: place denoised stems']);
  assert.strictEqual(project.undoStack[1].actions.length, 2);
  assert.ok(updates.some((u) => u.name === 'dialog.wav' && u.state === 'running'));
  assert.deepStrictEqual(updates.filter((u) => u.name === 'dialog.wav').pop().state, 'done');

  // A second run reuses the bin and never overwrites the first stems.
  const again = await runDenoise({ ppro: makePremierepro(project), client, files, stems: ['voice'] }).promise;
  assert.strictEqual(again.placed[0].path, path.join(dir, OUTPUT_FOLDER, 'dialog-denoised-2.voice.wav'));
  assert.strictEqual(project.root.children.filter((c) => c.name === BIN_NAME).length, 1);
  assert.strictEqual(seq.audioTracks.length, 6);
});

test('UXP: no sequence, no audio, server down and unreadable media are clear messages; nothing placed', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nrb-uxp-err-'));
  const { project, seq, chosen } = scene(dir);
  const client = new HttpDenoiseClient(server.httpUrl, { pollMs: 50 });

  const empty = new Project(path.join(dir, 'empty.prproj'));
  await assert.rejects(runDenoise({ ppro: makePremierepro(empty), client, files }).promise, /No active sequence/);

  chosen.selected = false;
  seq.audioTracks[2].items[0].selected = false;
  await assert.rejects(runDenoise({ ppro: makePremierepro(project), client, files }).promise, /no audio/);
  chosen.selected = true;

  const down = new HttpDenoiseClient('http://127.0.0.1:9', { pollMs: 50 });
  assert.strictEqual(await down.isUp(), false);
  const offline = await runDenoise({ ppro: makePremierepro(project), client: down, files }).promise;
  assert.match(offline.errors[0].reason, /not reachable/);
  assert.deepStrictEqual(offline.placed, []);

  fs.writeFileSync(path.join(dir, 'dialog.wav'), 'not audio');
  const corrupt = await runDenoise({ ppro: makePremierepro(project), client, files }).promise;
  assert.match(corrupt.errors[0].reason, /dialog\.wav/);
  assert.strictEqual(seq.audioTracks.length, 3);
  assert.strictEqual(project.root.children.some((c) => c.name === BIN_NAME), false);
  assert.strictEqual(fs.existsSync(path.join(dir, OUTPUT_FOLDER)), false);
});

test('UXP: cancelling stops the job on the server and writes nothing', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nrb-uxp-cancel-'));
  const media = path.join(dir, 'long.wav');
  writeTestWav(media, 40, 44100, 2);
  const client = new HttpDenoiseClient(server.httpUrl, { pollMs: 50 });
  const job = client.denoiseSection({ mediaPath: media, stems: ['voice'], onProgress: () => job.cancel() });
  await assert.rejects(job.promise, /cancelled/);
  // The server's worker is free again: a short job right after finishes.
  const short = path.join(dir, 'short.wav');
  writeTestWav(short, 1, 44100, 1);
  const next = await client.denoiseSection({ mediaPath: short, stems: ['voice'] }).promise;
  fs.writeFileSync(path.join(dir, 'next.wav'), Buffer.from(next.voice));
  assert.strictEqual(wav.probe(path.join(dir, 'next.wav')).frames, 44100);
});

test('the UXP manifest: v5, Premiere, network limited to the loopback HTTP API, entry page present', () => {
  const root = path.join(__dirname, '..');
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'manifest.json'), 'utf8'));
  assert.strictEqual(manifest.manifestVersion, 5);
  assert.strictEqual(manifest.host.app, 'premierepro');
  assert.ok(fs.existsSync(path.join(root, manifest.main)));
  const domains = manifest.requiredPermissions.network.domains;
  assert.ok(domains.length > 0 && domains.every((d) => /^http:\/\/127\.0\.0\.1(:\d+)?$/.test(d)), domains.join());
  assert.ok(manifest.entrypoints.some((e) => e.type === 'panel'));
});
