// Node-side client of the nr-bridge gRPC server, shared by the CEP panel (and any Node host).
// No UI and no Premiere here: a WAV section in, stem WAV files out.
'use strict';
const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const wav = require('./wav');

const PROTO = path.join(__dirname, '..', 'proto', 'denoiser.proto');
const definition = protoLoader.loadSync(PROTO, { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true });
const { Denoiser } = grpc.loadPackageDefinition(definition).nr_bridge.v1;
const BLOCK_FRAMES = 32768;

// NAME-denoised.voice.wav (and .noise.wav) in `dir`, numbered so nothing existing is overwritten.
function uniqueStemPaths(dir, baseName, stems) {
  for (let n = 1; ; n++) {
    const tag = n === 1 ? '' : `-${n}`;
    const paths = {};
    for (const stem of stems) paths[stem] = path.join(dir, `${baseName}-denoised${tag}.${stem}.wav`);
    if (Object.values(paths).every((p) => !fs.existsSync(p))) return paths;
  }
}

class DenoiseClient {
  constructor(address, { token } = {}) {
    this.address = address;
    this.client = new Denoiser(address, grpc.credentials.createInsecure());
    this.metadata = new grpc.Metadata();
    if (token) this.metadata.set('authorization', `Bearer ${token}`);
  }

  close() { this.client.close(); }

  info(timeoutMs = 3000) {
    return new Promise((resolve, reject) => {
      this.client.GetInfo({}, this.metadata, { deadline: Date.now() + timeoutMs },
        (error, reply) => (error ? reject(error) : resolve(reply)));
    });
  }

  async isUp() {
    try { await this.info(1500); return true; } catch (e) { return false; }
  }

  // Denoise seconds [start, end) of a media file. A WAV is read here and streamed (works with any
  // server); anything else (the AAC/PCM audio of MP4/MOV video, ...) is read by the server itself, which
  // must then run on this machine (source_path). Resolves { voice, noise } paths (those asked for).
  // onProgress({fraction, secondsDone, etaSeconds}); job.cancel() stops it and removes partial files.
  denoiseSection({ inputPath, startSeconds = 0, endSeconds = null, outputDir, baseName, stems = ['voice'],
                   strengthDb = null, label = '', onProgress = () => {} }) {
    let info = null;
    try { info = wav.probe(inputPath); } catch (e) { /* not a WAV we read: the server decodes it */ }
    const config = { sample_format: 'SAMPLE_FORMAT_F32', stems: stems.map((s) => (s === 'voice' ? 'STEM_VOICE' : 'STEM_NOISE')),
                     label };
    let start = 0;
    let stop = 0;
    if (info) {
      start = Math.round(startSeconds * info.sampleRate);
      stop = endSeconds == null ? info.frames : Math.min(info.frames, Math.round(endSeconds * info.sampleRate));
      if (stop <= start) return { promise: Promise.reject(new Error(`${inputPath}: the clip's section is empty`)), cancel() {} };
      Object.assign(config, { sample_rate: info.sampleRate, channels: info.channels, total_frames: stop - start });
    } else {
      Object.assign(config, { source_path: inputPath, start_seconds: startSeconds, end_seconds: endSeconds || 0 });
    }
    if (strengthDb != null) config.strength_db = strengthDb;
    const outputs = uniqueStemPaths(outputDir, baseName, stems);
    const writers = {};
    const openWriters = (rate, channels) => {
      for (const stem of stems) writers[stem] = new wav.WavWriter(outputs[stem], rate, channels);
    };
    if (info) openWriters(info.sampleRate, info.channels);
    const call = this.client.Denoise(this.metadata);
    let cancelled = false;
    const promise = new Promise((resolve, reject) => {
      const fail = (error) => { for (const w of Object.values(writers)) w.abort(); reject(error); };
      call.on('data', (response) => {
        if (response.source) {
          openWriters(response.source.sample_rate, response.source.channels);
        } else if (response.stem) {
          const stem = response.stem.stem === 'STEM_VOICE' ? 'voice' : 'noise';
          writers[stem].write(response.stem.data);
        } else if (response.progress) {
          const p = response.progress;
          onProgress({ fraction: p.fraction, secondsDone: p.seconds_done, etaSeconds: p.eta_seconds });
        } else if (response.summary) {
          for (const w of Object.values(writers)) w.close();
          resolve(outputs);
        }
      });
      call.on('error', (error) => fail(cancelled ? new Error('cancelled') : new Error(error.details || error.message)));
      call.on('end', () => {});
      (async () => {
        call.write({ config });
        if (info) {
          for (const block of wav.readSection(inputPath, start, stop, BLOCK_FRAMES)) {
            if (cancelled) return;
            const data = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
            if (!call.write({ audio: { data } })) await new Promise((r) => call.once('drain', r));
          }
        }
        call.end();
      })().catch(fail);
    });
    return { promise, cancel() { cancelled = true; call.cancel(); } };
  }
}

module.exports = { DenoiseClient, uniqueStemPaths };
