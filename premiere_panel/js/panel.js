// Panel UI, shared by both Premiere hosts: the CEP panel (ExtendScript via evalScript, Node gRPC
// client, denoise_job.js) and the UXP plugin (premierepro module, HTTP client, uxp_job.js). Both
// workflows report the same updates and results. In a plain browser the page renders, server offline.
/* global window, document */
(function () {
  'use strict';
  var cep = window.__adobe_cep__;
  var host = detectHost();
  var state = { clips: [], running: false, serverUp: false, message: '' };
  var job = null;
  var client = null;

  function $(id) { return document.getElementById(id); }

  // 'cep' (with Node enabled), 'uxp' (require('uxp') resolves) or 'browser'.
  function detectHost() {
    if (typeof require !== 'function') return 'browser';
    if (cep) return 'cep';
    try { require('uxp'); return 'uxp'; } catch (e) { return 'browser'; }
  }

  function startJob(options) {
    if (host === 'cep') {
      return require('./js/denoise_job.js').runDenoise(Object.assign({ evalScript: evalScript, client: client }, options));
    }
    var files = require('./js/host_files.js').hostFiles(require('fs'));
    return require('./js/uxp_job.js').runDenoise(
      Object.assign({ ppro: require('premierepro'), client: client, files: files }, options));
  }

  function makeClient() {
    if (host === 'cep') {
      var DenoiseClient = require('./js/denoise_client.js').DenoiseClient;
      return new DenoiseClient(window.localStorage.getItem('nrb.server') || '127.0.0.1:50551');
    }
    var HttpDenoiseClient = require('./js/http_client.js').HttpDenoiseClient;
    return new HttpDenoiseClient(window.localStorage.getItem('nrb.http') || 'http://127.0.0.1:50552');
  }

  function render() {
    $('status-light').className = 'light ' + (state.serverUp ? 'up' : 'down');
    $('status-text').textContent = state.serverUp ? 'server ready' : 'server offline (run: nr-bridge serve)';
    $('denoise').disabled = state.running;
    $('cancel').disabled = !state.running;
    var list = $('clips');
    list.innerHTML = '';
    state.clips.forEach(function (clip) {
      var li = document.createElement('li');
      li.className = clip.state;
      li.innerHTML = '<div class="name"></div><div class="bar"><div></div></div><div class="note"></div>';
      li.querySelector('.name').textContent = clip.name;
      li.querySelector('.bar > div').style.width = Math.round(clip.fraction * 100) + '%';
      li.querySelector('.note').textContent = clip.message || clip.state;
      list.appendChild(li);
    });
    $('message').textContent = state.message;
  }

  function update(change) {
    var existing = state.clips.filter(function (c) { return c.name === change.name; })[0];
    if (existing) Object.assign(existing, change); else state.clips.push(Object.assign({}, change));
    render();
  }

  function evalScript(code) {
    return new Promise(function (resolve, reject) {
      if (!cep) { reject(new Error('not running inside Premiere Pro')); return; }
      cep.evalScript(code, function (result) {
        if (result === 'EvalScript error.') reject(new Error('Premiere script error')); else resolve(result);
      });
    });
  }

  function strength() {
    var value = Number($('strength').value);
    return value >= 40 ? null : value;
  }

  function denoise() {
    if (host === 'browser') { state.message = 'Open this panel inside Premiere Pro.'; render(); return; }
    state.clips = []; state.running = true; state.message = ''; render();
    job = startJob({ strengthDb: strength(), stems: document.querySelector('input[name=stems]:checked').value.split(','),
                     onUpdate: update });
    job.promise.then(function (result) {
      var lines = result.skipped.map(function (s) { return s.name + ': skipped, ' + s.reason; })
        .concat(result.errors.map(function (e) { return (e.name ? e.name + ': ' : '') + e.reason; }));
      if (result.cancelled) lines.unshift('Cancelled.');
      else lines.unshift(result.placed.length + ' stem clip(s) placed on new audio tracks.');
      state.message = lines.join('\n');
    }, function (error) { state.message = error.message; })
      .then(function () { state.running = false; job = null; render(); });
  }

  function pollServer() {
    if (!client) { state.serverUp = false; render(); return; }
    client.isUp().then(function (up) { state.serverUp = up; render(); });
  }

  window.NRBPanel = { state: state, render: render, update: update, host: host };
  document.addEventListener('DOMContentLoaded', function () {
    $('strength').addEventListener('input', function () {
      $('strength-value').textContent = strength() === null ? 'full' : strength() + ' dB';
    });
    $('denoise').addEventListener('click', denoise);
    $('cancel').addEventListener('click', function () { if (job) job.cancel(); });
    if (host !== 'browser') {
      client = makeClient();
      window.setInterval(pollServer, 3000);
    }
    pollServer();
  });
})();
