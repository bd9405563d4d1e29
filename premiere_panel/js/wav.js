// WAV (RIFF) reading and writing in Node: PCM 16/24/32-bit and IEEE float, plain or EXTENSIBLE.
'use strict';
const fs = require('fs');

function readHeader(fd) {
  const head = Buffer.alloc(12);
  fs.readSync(fd, head, 0, 12, 0);
  if (head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a WAV file');
  }
  let offset = 12;
  let fmt = null;
  const size = fs.fstatSync(fd).size;
  while (offset + 8 <= size) {
    const chunk = Buffer.alloc(8);
    fs.readSync(fd, chunk, 0, 8, offset);
    const id = chunk.toString('ascii', 0, 4);
    const length = chunk.readUInt32LE(4);
    if (id === 'fmt ') {
      const body = Buffer.alloc(Math.min(length, 40));
      fs.readSync(fd, body, 0, body.length, offset + 8);
      let format = body.readUInt16LE(0);
      if (format === 0xfffe && body.length >= 26) format = body.readUInt16LE(24);
      fmt = { format, channels: body.readUInt16LE(2), sampleRate: body.readUInt32LE(4), bits: body.readUInt16LE(14) };
    } else if (id === 'data') {
      if (!fmt) throw new Error('WAV data before its fmt chunk');
      if (!((fmt.format === 1 && [16, 24, 32].includes(fmt.bits)) || (fmt.format === 3 && fmt.bits === 32))) {
        throw new Error(`unsupported WAV encoding (format ${fmt.format}, ${fmt.bits} bit)`);
      }
      const dataLength = Math.min(length, size - offset - 8);
      const frameBytes = fmt.channels * fmt.bits / 8;
      return Object.assign(fmt, { dataOffset: offset + 8, frameBytes, frames: Math.floor(dataLength / frameBytes) });
    }
    offset += 8 + length + (length % 2);
  }
  throw new Error('WAV file has no data chunk');
}

function decode(buffer, info) {
  const count = buffer.length / (info.bits / 8);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    if (info.format === 3) out[i] = buffer.readFloatLE(i * 4);
    else if (info.bits === 16) out[i] = buffer.readInt16LE(i * 2) / 32768;
    else if (info.bits === 24) out[i] = buffer.readIntLE(i * 3, 3) / 8388608;
    else out[i] = buffer.readInt32LE(i * 4) / 2147483648;
  }
  return out;
}

// Reads frames [start, stop) of a WAV in blocks: yields interleaved Float32Arrays.
function* readSection(path, startFrame, stopFrame, blockFrames = 32768) {
  const fd = fs.openSync(path, 'r');
  try {
    const info = readHeader(fd);
    const stop = Math.min(stopFrame, info.frames);
    for (let frame = Math.max(0, startFrame); frame < stop; frame += blockFrames) {
      const frames = Math.min(blockFrames, stop - frame);
      const buffer = Buffer.alloc(frames * info.frameBytes);
      fs.readSync(fd, buffer, 0, buffer.length, info.dataOffset + frame * info.frameBytes);
      yield decode(buffer, info);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function probe(path) {
  const fd = fs.openSync(path, 'r');
  try { return readHeader(fd); } finally { fs.closeSync(fd); }
}

// A float32 WAV writer that streams to `path + '.partial'` and renames on close().
class WavWriter {
  constructor(path, sampleRate, channels) {
    this.path = path;
    this.tmp = path + '.partial';
    this.sampleRate = sampleRate;
    this.channels = channels;
    this.bytes = 0;
    this.fd = fs.openSync(this.tmp, 'w');
    fs.writeSync(this.fd, Buffer.alloc(44));
  }
  write(buffer) {
    fs.writeSync(this.fd, buffer);
    this.bytes += buffer.length;
  }
  close() {
    const h = Buffer.alloc(44);
    h.write('RIFF', 0, 'ascii'); h.writeUInt32LE(36 + this.bytes, 4); h.write('WAVE', 8, 'ascii');
    h.write('fmt ', 12, 'ascii'); h.writeUInt32LE(16, 16); h.writeUInt16LE(3, 20); h.writeUInt16LE(this.channels, 22);
    h.writeUInt32LE(this.sampleRate, 24); h.writeUInt32LE(this.sampleRate * this.channels * 4, 28);
    h.writeUInt16LE(this.channels * 4, 32); h.writeUInt16LE(32, 34);
    h.write('data', 36, 'ascii'); h.writeUInt32LE(this.bytes, 40);
    fs.writeSync(this.fd, h, 0, 44, 0);
    fs.closeSync(this.fd);
    fs.renameSync(this.tmp, this.path);
  }
  abort() {
    try { fs.closeSync(this.fd); } catch (e) { /* already closed */ }
    try { fs.unlinkSync(this.tmp); } catch (e) { /* never created */ }
  }
}

module.exports = { probe, readSection, WavWriter };
