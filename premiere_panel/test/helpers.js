'use strict';
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const wav = require('../js/wav');

const REPO = path.resolve(__dirname, '..', '..');

// Writes a 16-bit PCM WAV of a voice-band tone plus noise: returns the interleaved floats written.
function writeTestWav(file, seconds, sampleRate, channels) {
  const frames = Math.round(seconds * sampleRate);
  const data = Buffer.alloc(frames * channels * 2);
  const values = new Float32Array(frames * channels);
  let seed = 1;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const v = 0.3 * Math.sin(2 * Math.PI * 220 * i / sampleRate) + 0.03 * (seed / 2147483648 - 0.5);
      const q = Math.round(v * 32767);
      data.writeInt16LE(q, (i * channels + c) * 2);
      values[i * channels + c] = q / 32768;
    }
  }
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + data.length, 4); h.write('WAVE', 8); h.write('fmt ', 12);
  h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20); h.writeUInt16LE(channels, 22); h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * channels * 2, 28); h.writeUInt16LE(channels * 2, 32); h.writeUInt16LE(16, 34);
  h.write('data', 36); h.writeUInt32LE(data.length, 40);
  fs.writeFileSync(file, Buffer.concat([h, data]));
  return values;
}

function python() {
  if (process.env.NR_BRIDGE_PYTHON) return process.env.NR_BRIDGE_PYTHON;
  const venv = path.join(REPO, '.venv', 'bin', 'python');
  return fs.existsSync(venv) ? venv : 'python3';
}

// A whole WAV file: { info (wav.probe), samples: interleaved Float32Array }.
function readAll(file) {
  const info = wav.probe(file);
  const parts = [...wav.readSection(file, 0, info.frames)];
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) { out.set(p, offset); offset += p.length; }
  return { info, samples: out };
}

// Starts a real nr-bridge server on ephemeral loopback ports: resolves { address (gRPC), httpUrl, stop }.
function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(python(), ['-m', 'nr_bridge.cli', 'serve', '--port', '0', '--precision', 'fp32'],
                        { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const grpcMatch = buffered.match(/server listening on (\S+)/);
      const httpMatch = buffered.match(/HTTP API listening on (\S+)/);
      if (grpcMatch && httpMatch) {
        resolve({ address: grpcMatch[1], httpUrl: `http://${httpMatch[1]}`,
                  stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }) });
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

// Writes a MOV (PCM audio + a small video stream, through PyAV) and a WAV of the same samples.
function writeTestMov(movFile, wavFile, seconds, sampleRate, channels) {
  const code = [
    'import sys, soundfile as sf',
    'from tests.conftest import tone_and_noise, write_media',
    `audio = tone_and_noise(${seconds}, ${sampleRate}, ${channels})`,
    `write_media(sys.argv[1], audio, ${sampleRate}, "pcm_s16le", video=True)`,
    `sf.write(sys.argv[2], audio, ${sampleRate}, subtype="PCM_16")`,
  ].join('\n');
  require('child_process').execFileSync(python(), ['-c', code, movFile, wavFile], { cwd: REPO });
}

module.exports = { writeTestWav, writeTestMov, startServer, readAll, REPO };
