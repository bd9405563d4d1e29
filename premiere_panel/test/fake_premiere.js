// A stand-in for Premiere Pro's ExtendScript DOM (app, qe, Time, ProjectItemType), modelled on Adobe's
// Premiere Pro Scripting Guide: a project with bins and items, sequences with audio/video tracks of
// track items whose times are Time objects in ticks (254016000000 per second). importFiles adds
// items for files that exist; overwriteClip places an item's whole duration at a time on a track.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const wav = require('../js/wav');

const TICKS = 254016000000;
const ProjectItemType = { CLIP: 1, BIN: 2, ROOT: 3, FILE: 4 };

class Time {
  constructor(seconds = 0) { this.ticks = String(Math.round(seconds * TICKS)); }
  get seconds() { return Number(this.ticks) / TICKS; }
}

function collection(list, countName) {
  const c = new Proxy(list, {
    get(target, prop) {
      if (prop === countName) return target.length;
      return target[prop];
    },
  });
  return c;
}

let nextNode = 1000;
class ProjectItem {
  constructor(name, type, mediaPath = '', { offline = false } = {}) {
    this.name = name; this.type = type; this.nodeId = String(nextNode++);
    this._media = mediaPath; this._offline = offline; this._children = [];
    this.children = collection(this._children, 'numItems');
  }
  getMediaPath() { return this._media; }
  isOffline() { return this._offline; }
  createBin(name) {
    const bin = new ProjectItem(name, ProjectItemType.BIN);
    this._children.push(bin);
    return bin;
  }
  durationSeconds() { const info = wav.probe(this._media); return info.frames / info.sampleRate; }
}

class TrackItem {
  constructor(projectItem, mediaType, { start, inPoint, outPoint, speed = 1, name }) {
    this.projectItem = projectItem; this.mediaType = mediaType; this.name = name || (projectItem && projectItem.name);
    this.start = new Time(start); this.inPoint = new Time(inPoint); this.outPoint = new Time(outPoint);
    this.end = new Time(start + (outPoint - inPoint) / speed); this._speed = speed; this._selected = false;
  }
  getSpeed() { return this._speed; }
  isSelected() { return this._selected; }
}

class Track {
  constructor(name, mediaType) {
    this.name = name; this.mediaType = mediaType; this._clips = []; this.clips = collection(this._clips, 'numItems');
  }
  overwriteClip(projectItem, time) {
    const start = typeof time === 'object' ? time.seconds : Number(time);
    if (!(start >= 0)) throw new Error('overwriteClip: bad time');
    const duration = projectItem.durationSeconds();
    const end = start + duration;
    // An overwrite edit replaces whatever lies under the new clip on this track.
    for (let i = this._clips.length - 1; i >= 0; i--) {
      const c = this._clips[i];
      if (c.start.seconds < end && c.end.seconds > start) this._clips.splice(i, 1);
    }
    const clip = new TrackItem(projectItem, this.mediaType, { start, inPoint: 0, outPoint: duration });
    this._clips.push(clip);
    return true;
  }
}

class Sequence {
  constructor(name) {
    this.name = name; this._audio = []; this._video = [];
    this.audioTracks = collection(this._audio, 'numTracks');
    this.videoTracks = collection(this._video, 'numTracks');
  }
  getSelection() {
    return [...this._video, ...this._audio].flatMap((t) => t._clips.filter((c) => c._selected));
  }
}

function makeApp({ projectPath }) {
  const root = new ProjectItem('root', ProjectItemType.ROOT);
  const app = {
    project: {
      path: projectPath, rootItem: root, activeSequence: null,
      importFiles(paths, suppressUI, targetBin) {
        for (const p of paths) {
          if (!fs.existsSync(p)) return false;
          (targetBin || root)._children.push(new ProjectItem(path.basename(p), ProjectItemType.CLIP, p));
        }
        return true;
      },
    },
    qeEnabled: false,
    enableQE() { this.qeEnabled = true; },
  };
  const qe = {
    project: {
      getActiveSequence() {
        if (!app.qeEnabled) throw new Error('QE DOM used before app.enableQE()');
        const seq = app.project.activeSequence;
        return {
          addTracks(numVideo, videoIndex, numAudio, audioType, audioIndex) {
            for (let i = 0; i < numVideo; i++) seq._video.splice(videoIndex + i, 0, new Track(`V${seq._video.length + 1}`, 'Video'));
            for (let i = 0; i < numAudio; i++) seq._audio.splice(audioIndex + i, 0, new Track(`A${seq._audio.length + 1}`, 'Audio'));
          },
        };
      },
    },
  };
  return { app, qe, root };
}

// Evaluates host.jsx in a context holding the fake DOM; returns the context (its nrb_* functions).
function loadHost(app, qe) {
  const context = vm.createContext({ app, qe, ProjectItemType, Time });
  vm.runInContext(fs.readFileSync(path.join(__dirname, '..', 'jsx', 'host.jsx'), 'utf8'), context);
  return context;
}

module.exports = { makeApp, loadHost, ProjectItem, ProjectItemType, Sequence, Track, TrackItem, Time, TICKS };
