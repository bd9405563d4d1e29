'use strict';
// The panel's Node side against a real nr-bridge server on 127.0.0.1 (ephemeral port).
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { DenoiseClient } = require('../js/denoise_client');
const { runDenoise, OUTPUT_FOLDER } = require('../js/denoise_job');
const wav = require('../js/wav');
const { makeApp, loadHost, ProjectItem, ProjectItemType, Sequence, Track, TrackItem } = require('./fake_premiere');
const { writeTestWav, writeTestMov, startServer, readAll } = require('./helpers');

let server;
test.before(async () => { server = await startServer(); });
test.after(async () => { await server.stop(); });

test('a WAV section streams through the server into voice and noise stems that sum to it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nrb-client-'));
  const input = path.join(dir, 'take.wav');
  const original = writeTestWav(input, 5, 48000, 2);
  const client = new DenoiseClient(server.address);
  assert.strictEqual(await client.isUp(), true);
  const fractions = [];
  const job = client.denoiseSection({ inputPath: input, startSeconds: 1, endSeconds: 3.5, outputDir: dir, baseName: 'take',
                                      stems: ['voice', 'noise'], onProgress: (p) => fractions.push(p.fraction) });
  const files = await job.promise;
  assert.deepStrictEqual(Object.keys(files), ['voice', 'noise']);
  const voice = readAll(files.voice);
  const noise = readAll(files.noise);
  assert.strictEqual(voice.info.sampleRate, 48000);
  assert.strictEqual(voice.info.frames, 2.5 * 48000);
  let maxError = 0;
  for (let i = 0; i < voice.samples.length; i++) {
    maxError = Math.max(maxError, Math.abs(voice.samples[i] + noise.samples[i] - original[48000 * 2 + i]));
  }
  assert.ok(maxError < 1e-5, `voice + noise differs from the section by ${maxError}`);
  assert.ok(fractions.length >= 2 && fractions[fractions.length - 1] === 1);
  // A second job does not overwrite the first one's files.
  const again = await client.denoiseSection({ inputPath: input, outputDir: dir, baseName: 'take' }).promise;
  assert.match(path.basename(again.voice), /take-denoised-2\.voice\.wav/);
  client.close();
});

test('a cancelled job leaves no partial file, and bad input is a readable error', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nrb-cancel-'));
  const input = path.join(dir, 'long.wav');
  writeTestWav(input, 40, 44100, 2);
  const client = new DenoiseClient(server.address);
  const job = client.denoiseSection({ inputPath: input, outputDir: dir, baseName: 'long',
                                      onProgress: () => job.cancel() });
  await assert.rejects(job.promise, /cancelled/);
  assert.deepStrictEqual(fs.readdirSync(dir), ['long.wav']);
  const bad = client.denoiseSection({ inputPath: input, outputDir: dir, baseName: 'long', strengthDb: -5 });
  await assert.rejects(bad.promise, /non-negative/);
  client.close();
});

test('the audio of a MOV video: the server reads the section itself and the stems come back', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nrb-mov-'));
  const movie = path.join(dir, 'interview.mov');
  const reference = path.join(dir, 'reference.wav');
  writeTestMov(movie, reference, 4, 48000, 2);
  const before = fs.readFileSync(movie);
  const client = new DenoiseClient(server.address);
  const files = await client.denoiseSection({ inputPath: movie, startSeconds: 0.5, endSeconds: 3, outputDir: dir,
                                              baseName: 'interview', stems: ['voice', 'noise'] }).promise;
  const voice = readAll(files.voice);
  const noise = readAll(files.noise);
  assert.strictEqual(voice.info.sampleRate, 48000);
  assert.strictEqual(voice.info.channels, 2);
  assert.strictEqual(voice.info.frames, 2.5 * 48000);
  const section = readAll(reference).samples.subarray(0.5 * 48000 * 2, 3 * 48000 * 2);
  let maxError = 0;
  for (let i = 0; i < section.length; i++) maxError = Math.max(maxError, Math.abs(voice.samples[i] + noise.samples[i] - section[i]));
  // Both files hold the samples as 16-bit PCM; their writers may round one step apart.
  assert.ok(maxError < 1.5 / 32768, `voice + noise differs from the MOV's section by ${maxError}`);
  assert.ok(fs.readFileSync(movie).equals(before));
  client.close();
});

test('the Denoise action end to end: selection, server, stems placed on a new track', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nrb-panel-'));
  const { app, qe, root } = makeApp({ projectPath: path.join(dir, 'edit.prproj') });
  const seq = new Sequence('Scene');
  seq._audio.push(new Track('A1', 'Audio'));
  app.project.activeSequence = seq;
  const media = path.join(dir, 'dialog.wav');
  writeTestWav(media, 6, 48000, 1);
  const item = new ProjectItem('dialog.wav', ProjectItemType.CLIP, media);
  root._children.push(item);
  const clip = new TrackItem(item, 'Audio', { start: 30, inPoint: 2, outPoint: 4.5 });
  clip._selected = true;
  seq._audio[0]._clips.push(clip);
  const host = loadHost(app, qe);
  const evalScript = async (code) => require('vm').runInContext(code, host);
  const client = new DenoiseClient(server.address);
  const updates = [];
  const result = await runDenoise({ evalScript, client, stems: ['voice'], onUpdate: (u) => updates.push(u) }).promise;
  assert.deepStrictEqual(result.errors, []);
  assert.strictEqual(result.placed.length, 1);
  const placedFile = result.placed[0].path;
  assert.strictEqual(path.dirname(placedFile), path.join(dir, OUTPUT_FOLDER));
  assert.strictEqual(wav.probe(placedFile).frames, 2.5 * 48000);
  assert.strictEqual(seq._audio.length, 2);
  assert.strictEqual(seq._audio[1]._clips[0].start.seconds, 30);
  assert.strictEqual(seq._audio[1]._clips[0].end.seconds, 32.5);
  assert.deepStrictEqual(seq._audio[0]._clips, [clip]);
  assert.ok(updates.some((u) => u.state === 'running') && updates[updates.length - 1].state === 'done');
  client.close();
});

test('the panel proto is the shared contract', () => {
  const shared = path.join(__dirname, '..', '..', 'protos', 'nr_bridge', 'v1', 'denoiser.proto');
  assert.strictEqual(fs.readFileSync(path.join(__dirname, '..', 'proto', 'denoiser.proto'), 'utf8'),
                     fs.readFileSync(shared, 'utf8'));
});
