// The Denoise action's loop, shared by both hosts (CEP: denoise_job.js, UXP: uxp_job.js): report the
// skipped clips, denoise the clips one after another with progress, collect errors, then place the
// results. Cancel stops the clip in flight and places nothing.
'use strict';

// select() -> { clips, skipped: [{name, reason}] }
// problem(clip) -> null, or { reason, message } for a clip that cannot be sent (reported as an error)
// denoiseClip(clip, onProgress) -> { promise: stem files, cancel() }
// place(results: [{name, startSeconds, files}]) -> { placed, errors: [string] }
// Returns { promise: {placed, skipped, errors, cancelled}, cancel() }.
function runClipJobs({ select, problem = () => null, denoiseClip, place, onUpdate = () => {} }) {
  let cancelled = false;
  let current = null;
  const promise = (async () => {
    const { clips, skipped } = await select();
    for (const s of skipped) onUpdate({ name: s.name, state: 'skipped', fraction: 0, message: s.reason });
    if (clips.length === 0 && skipped.length === 0) throw new Error('Select one or more clips with audio.');
    const errors = [];
    const results = [];
    for (const clip of clips) {
      if (cancelled) break;
      const trouble = problem(clip);
      if (trouble) {
        errors.push({ name: clip.name, reason: trouble.reason });
        onUpdate({ name: clip.name, state: 'error', fraction: 0, message: trouble.message });
        continue;
      }
      onUpdate({ name: clip.name, state: 'running', fraction: 0, message: '' });
      current = denoiseClip(clip, (p) => onUpdate({
        name: clip.name, state: 'running', fraction: Math.max(0, p.fraction),
        message: p.etaSeconds >= 0 ? `${Math.ceil(p.etaSeconds)} s left` : '' }));
      try {
        const files = await current.promise;
        results.push({ name: clip.name, startSeconds: clip.startSeconds, files });
        onUpdate({ name: clip.name, state: 'done', fraction: 1, message: '' });
      } catch (error) {
        errors.push({ name: clip.name, reason: error.message });
        onUpdate({ name: clip.name, state: cancelled ? 'cancelled' : 'error', fraction: 0, message: error.message });
      }
      current = null;
    }
    let placed = [];
    if (results.length && !cancelled) {
      const reply = await place(results);
      placed = reply.placed;
      for (const e of reply.errors) errors.push({ name: '', reason: e });
    }
    return { placed, skipped, errors, cancelled };
  })();
  return { promise, cancel() { cancelled = true; if (current) current.cancel(); } };
}

module.exports = { runClipJobs };
