'use strict';
// A stand-in for Premiere's UXP module `require('premierepro')` (25.6+), modelled on Adobe's Premiere
// DOM API reference (developer.adobe.com/premiere-pro/uxp/ppro_reference): getters are async, actions
// are created by create*Action() and run only inside project.executeTransaction(...) under
// project.lockedAccess(...); importFiles() imports real files into a bin and answers a boolean; an
// overwrite edit onto an audio track index past the last track adds the track. Media durations come
// from the real WAV headers.
const path = require('path');
const wav = require('../js/wav');

const TICKS_PER_SECOND = 254016000000;

class TickTime {
  constructor(ticks) { this.ticksNumber = Number(ticks); this.ticks = String(ticks); }
  get seconds() { return this.ticksNumber / TICKS_PER_SECOND; }
  static createWithSeconds(seconds) { return new TickTime(Math.round(seconds * TICKS_PER_SECOND)); }
  static createWithTicks(ticks) { return new TickTime(ticks); }
}
TickTime.TIME_ZERO = new TickTime(0);

const Constants = {
  TrackItemType: { EMPTY: 0, CLIP: 1, TRANSITION: 2, PREVIEW: 3, FEEDBACK: 4 },
  MediaType: { ANY: 'any', DATA: 'data', VIDEO: 'video', AUDIO: 'audio' },
};

let activeTransaction = null;

// What create*Action() returns: runnable only inside the transaction that created it.
class Action {
  constructor(label, apply) {
    if (!activeTransaction) throw new Error(`${label}: actions must be created inside executeTransaction`);
    this.label = label; this.apply = apply; this.transaction = activeTransaction;
  }
}

class ProjectItem {
  constructor(name, type) { this.name = name; this.type = type; this.parent = null; }
  getParentBin() { return this.parent; }
}
Object.assign(ProjectItem, { TYPE_CLIP: 1, TYPE_BIN: 2, TYPE_ROOT: 3, TYPE_FILE: 4 });

class ClipProjectItem extends ProjectItem {
  constructor(name, mediaPath, { offline = false, hasAudio = true, hasVideo = false, sequence = false, seconds = null } = {}) {
    super(name, ProjectItem.TYPE_CLIP);
    Object.assign(this, { mediaPath, offline, hasAudio, hasVideo, sequence });
    this.seconds = seconds !== null ? seconds : (() => { const i = wav.probe(mediaPath); return i.frames / i.sampleRate; })();
  }
  async getMediaFilePath() { return this.mediaPath; }
  async isOffline() { return this.offline; }
  async isSequence() { return this.sequence; }
  static cast(item) { return item instanceof ClipProjectItem ? item : null; }
}

class FolderItem extends ProjectItem {
  constructor(name, type = ProjectItem.TYPE_BIN) { super(name, type); this.children = []; }
  add(item) { item.parent = this; this.children.push(item); return item; }
  async getItems() { return this.children.slice(); }
  createBinAction(name, makeUnique) {
    return new Action('createBinAction', () => {
      let unique = name;
      for (let n = 2; makeUnique && this.children.some((c) => c.name === unique); n++) unique = `${name} ${n}`;
      this.add(new FolderItem(unique));
    });
  }
  static cast(item) { return item instanceof FolderItem ? item : null; }
}

class ClipTrackItem {
  constructor(projectItem, { name = projectItem.name, inSeconds = 0, outSeconds = projectItem.seconds, startSeconds = 0,
                             selected = false, speed = 1 } = {}) {
    Object.assign(this, { projectItem, name, inSeconds, outSeconds, startSeconds, selected, speed, track: null });
  }
  get endSeconds() { return this.startSeconds + (this.outSeconds - this.inSeconds) / this.speed; }
  async getName() { return this.name; }
  async getIsSelected() { return this.selected; }
  async getInPoint() { return TickTime.createWithSeconds(this.inSeconds); }
  async getOutPoint() { return TickTime.createWithSeconds(this.outSeconds); }
  async getStartTime() { return TickTime.createWithSeconds(this.startSeconds); }
  async getEndTime() { return TickTime.createWithSeconds(this.endSeconds); }
  async getSpeed() { return this.speed; }
  async getType() { return Constants.TrackItemType.CLIP; }
  async getProjectItem() { return this.projectItem; }
  async getTrackIndex() { return this.track.index; }
}

class Track {
  constructor(name, index) { this.name = name; this.index = index; this.items = []; }
  add(item) { item.track = this; this.items.push(item); return item; }
  async getIndex() { return this.index; }
  getTrackItems(type, includeEmpty) {
    if (type !== Constants.TrackItemType.CLIP || includeEmpty) throw new Error('fake models clip items only');
    return this.items.slice();
  }
}

class Sequence {
  constructor(name) { this.name = name; this.videoTracks = []; this.audioTracks = []; }
  addAudioTrack() { const t = new Track(`Audio ${this.audioTracks.length + 1}`, this.audioTracks.length); this.audioTracks.push(t); return t; }
  addVideoTrack() { const t = new Track(`Video ${this.videoTracks.length + 1}`, this.videoTracks.length); this.videoTracks.push(t); return t; }
  async getAudioTrackCount() { return this.audioTracks.length; }
  async getVideoTrackCount() { return this.videoTracks.length; }
  async getAudioTrack(i) { return this.audioTracks[i]; }
  async getVideoTrack(i) { return this.videoTracks[i]; }
  async getSelection() {
    const items = [...this.videoTracks, ...this.audioTracks].flatMap((t) => t.items).filter((i) => i.selected);
    return { getTrackItems: async () => items };
  }
}

// Overwrite: the new item replaces whatever lay under it on the target track.
function overwrite(tracks, addTrack, index, item) {
  while (tracks.length <= index) addTrack();
  const track = tracks[index];
  track.items = track.items.filter((i) => i.endSeconds <= item.startSeconds || i.startSeconds >= item.endSeconds);
  track.add(item);
}

const SequenceEditor = {
  getEditor(sequence) {
    return {
      createOverwriteItemAction(projectItem, time, videoTrackIndex, audioTrackIndex) {
        return new Action('createOverwriteItemAction', () => {
          const place = () => new ClipTrackItem(projectItem, { startSeconds: time.seconds });
          if (projectItem.hasVideo) overwrite(sequence.videoTracks, () => sequence.addVideoTrack(), videoTrackIndex, place());
          if (projectItem.hasAudio) overwrite(sequence.audioTracks, () => sequence.addAudioTrack(), audioTrackIndex, place());
        });
      },
    };
  },
};

class Project {
  constructor(projectPath) {
    this.path = projectPath; this.name = path.basename(projectPath);
    this.root = new FolderItem(this.name, ProjectItem.TYPE_ROOT);
    this.sequence = null; this.undoStack = []; this.locked = false;
  }
  async getActiveSequence() { return this.sequence; }
  async getRootItem() { return this.root; }
  lockedAccess(callback) {
    this.locked = true;
    try { callback(); } finally { this.locked = false; }
  }
  executeTransaction(callback, undoString) {
    if (!this.locked) throw new Error('executeTransaction outside lockedAccess');
    const actions = [];
    const transaction = {};
    activeTransaction = transaction;
    try {
      callback({ addAction: (a) => { actions.push(a); return true; }, get empty() { return actions.length === 0; } });
    } finally { activeTransaction = null; }
    if (actions.some((a) => a.transaction !== transaction)) return false;
    for (const a of actions) a.apply();
    this.undoStack.push({ name: undoString, actions: actions.map((a) => a.label) });
    return true;
  }
  async importFiles(filePaths, suppressUI, targetBin, asNumberedStills) {
    let all = true;
    for (const file of filePaths) {
      try {
        (targetBin || this.root).add(new ClipProjectItem(path.basename(file), file));
      } catch (error) { all = false; }
    }
    return all;
  }
}

function makePremierepro(project) {
  return {
    Project: { getActiveProject: async () => project },
    ProjectItem, ClipProjectItem, FolderItem, SequenceEditor, TickTime, Constants,
  };
}

module.exports = { makePremierepro, Project, Sequence, ClipProjectItem, ClipTrackItem, FolderItem, TickTime, TICKS_PER_SECOND };
