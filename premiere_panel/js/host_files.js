// The few file operations the UXP workflow needs, over a Node-style promise fs: UXP's require('fs')
// (paths without a scheme are native "file:" paths; needs the localFileSystem permission) or Node's
// require('fs').promises.
'use strict';

function hostFiles(fs) {
  return {
    async exists(file) {
      try { await fs.lstat(file); return true; } catch (error) { return false; }
    },
    async mkdir(dir) {
      await fs.mkdir(dir, { recursive: true });
    },
    // Writes beside the target, then renames: a crash never leaves a half-written stem under its name.
    async writeAtomic(file, data) {
      const partial = `${file}.partial`;
      // UXP's writeFile takes the ArrayBuffer itself; Node's wants a typed array (Node has Buffer).
      await fs.writeFile(partial, typeof Buffer === 'undefined' ? data : new Uint8Array(data));
      await fs.rename(partial, file);
    },
  };
}

module.exports = { hostFiles };
