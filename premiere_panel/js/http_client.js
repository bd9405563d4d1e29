// Client of the nr-bridge HTTP/JSON job API (nr_bridge/server/openapi.json), for hosts without
// HTTP/2 and Node (Premiere UXP). Needs only `fetch`, so it runs in UXP, browsers and Node >= 18.
'use strict';

const DONE = ['done', 'failed', 'cancelled'];

class HttpDenoiseClient {
  // baseUrl: e.g. 'http://127.0.0.1:50552'; token: the server's --token, if it has one.
  constructor(baseUrl, { token = null, fetchImpl = null, pollMs = 250 } = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.headers = token ? { Authorization: `Bearer ${token}` } : {};
    this.fetch = fetchImpl || ((...args) => fetch(...args));
    this.pollMs = pollMs;
  }

  async isUp() {
    try {
      const reply = await this.fetch(`${this.baseUrl}/v1/health`, { headers: this.headers });
      return reply.ok;
    } catch (error) {
      return false;
    }
  }

  async request(method, route, body) {
    let reply;
    try {
      reply = await this.fetch(`${this.baseUrl}${route}`, {
        method, headers: Object.assign({ 'Content-Type': 'application/json' }, this.headers),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new Error(`nr-bridge server not reachable at ${this.baseUrl} (start it with: nr-bridge serve)`);
    }
    if (reply.status === 204) return null;
    const text = await reply.text();
    let json = null;
    try { json = JSON.parse(text); } catch (error) { /* not JSON: reported below */ }
    if (!reply.ok) throw new Error((json && json.error) || `server answered HTTP ${reply.status}`);
    return json;
  }

  // Denoises seconds [startSeconds, endSeconds) of a local media file the server can read.
  // Returns { promise, cancel }; the promise gives { stem: ArrayBuffer (WAV) } for each stem asked.
  denoiseSection({ mediaPath, startSeconds = 0, endSeconds = null, stems = ['voice'], strengthDb = null,
                   label = '', onProgress = () => {} }) {
    let cancelled = false;
    let jobId = null;
    const promise = (async () => {
      const job = await this.request('POST', '/v1/jobs', {
        path: mediaPath, start_s: startSeconds, end_s: endSeconds, stems, strength_db: strengthDb, label,
      });
      jobId = job.id;
      let view = job;
      while (!DONE.includes(view.status)) {
        if (cancelled) {
          await this.request('DELETE', `/v1/jobs/${jobId}`).catch(() => {});
          throw new Error('cancelled');
        }
        await new Promise((resolve) => setTimeout(resolve, this.pollMs));
        view = await this.request('GET', `/v1/jobs/${jobId}`);
        onProgress({ fraction: view.progress.fraction, etaSeconds: view.progress.eta_seconds });
      }
      if (view.status !== 'done') throw new Error(view.error || `job ${view.status}`);
      const out = {};
      for (const stem of stems) {
        const reply = await this.fetch(`${this.baseUrl}${view.stems[stem]}`, { headers: this.headers });
        if (!reply.ok) throw new Error(`could not download the ${stem} stem (HTTP ${reply.status})`);
        out[stem] = await reply.arrayBuffer();
      }
      await this.request('DELETE', `/v1/jobs/${jobId}`);
      return out;
    })();
    return {
      promise,
      cancel: () => {
        cancelled = true;
        if (jobId) this.request('DELETE', `/v1/jobs/${jobId}`).catch(() => {});
      },
    };
  }
}

module.exports = { HttpDenoiseClient };
