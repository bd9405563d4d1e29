'use strict';
// The panel page in headless Chromium (Debian's /usr/bin/chromium), driven by playwright-core.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

test('the page shows the Denoise button, strength, stems and per-clip progress', { skip: !fs.existsSync(CHROMIUM) && 'no chromium' }, async () => {
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const page = await browser.newPage({ viewport: { width: 320, height: 420 } });
    await page.goto('file://' + path.join(__dirname, '..', 'index.html'));
    const button = page.locator('#denoise');
    assert.strictEqual(await button.textContent(), 'Denoise');
    assert.strictEqual(await button.isEnabled(), true);
    assert.strictEqual(await page.locator('#status-light').getAttribute('class'), 'light down');
    await page.fill('#strength', '12');
    await page.dispatchEvent('#strength', 'input');
    assert.strictEqual(await page.locator('#strength-value').textContent(), '12 dB');
    await page.evaluate(() => {
      window.NRBPanel.state.running = true;
      window.NRBPanel.update({ name: 'Interview A', state: 'running', fraction: 0.4, message: '12 s left' });
      window.NRBPanel.update({ name: 'B-roll', state: 'skipped', fraction: 0, message: 'video only (no audio to denoise)' });
    });
    assert.strictEqual(await page.locator('#clips li').count(), 2);
    const bar = await page.locator('#clips li.running .bar > div').boundingBox();
    const track = await page.locator('#clips li.running .bar').boundingBox();
    assert.ok(Math.abs(bar.width / track.width - 0.4) < 0.02, `progress bar at ${bar.width / track.width}`);
    assert.strictEqual(await page.locator('#cancel').isEnabled(), true);
    assert.strictEqual(await button.isEnabled(), false);
    const shot = path.join(process.env.NRB_SCREENSHOT_DIR || os.tmpdir(), 'premiere-panel.png');
    const png = await page.screenshot({ path: shot });
    assert.ok(png.length > 2000);
    // The Denoise button's blue is on screen where the button is.
    const box = await button.boundingBox();
    const color = await page.evaluate(({ x, y }) => {
      const el = document.elementFromPoint(x, y);
      return window.getComputedStyle(el).backgroundColor;
    }, { x: box.x + 5, y: box.y + box.height / 2 });
    assert.strictEqual(color, 'rgb(45, 140, 235)');
  } finally {
    await browser.close();
  }
});

test('in UXP the same page drives the UXP workflow: status from the HTTP client, options passed, result shown',
     { skip: !fs.existsSync(CHROMIUM) && 'no chromium' }, async () => {
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const page = await browser.newPage({ viewport: { width: 320, height: 420 } });
    // UXP's module loader, as the page sees it in Premiere: 'uxp' and 'premierepro' resolve; the
    // workflow modules are stand-ins that record what the page asks of them (their logic is tested in
    // uxp.test.js against the fake premierepro module and a real server).
    await page.addInitScript(() => {
      window.calls = [];
      const modules = {
        uxp: {}, premierepro: { name: 'premierepro' }, fs: {},
        './js/host_files.js': { hostFiles: (fs) => ({ fs }) },
        './js/http_client.js': { HttpDenoiseClient: class { constructor(url) { window.calls.push(['client', url]); }
                                                            isUp() { return Promise.resolve(true); } } },
        './js/uxp_job.js': { runDenoise: (options) => {
          window.calls.push(['runDenoise', options.ppro.name, options.stems, options.strengthDb]);
          options.onUpdate({ name: 'Interview A', state: 'running', fraction: 0.5, message: '' });
          return { promise: Promise.resolve({ placed: [{}, {}], skipped: [{ name: 'B-roll', reason: 'media offline' }],
                                              errors: [], cancelled: false }), cancel() {} };
        } },
      };
      window.require = (id) => { if (id in modules) return modules[id]; throw new Error(`Cannot find module ${id}`); };
    });
    await page.goto('file://' + path.join(__dirname, '..', 'index.html'));
    assert.strictEqual(await page.evaluate(() => window.NRBPanel.host), 'uxp');
    await page.waitForFunction(() => document.getElementById('status-light').className === 'light up', null, { timeout: 5000 });
    await page.check('input[name=stems][value="voice,noise"]');
    await page.fill('#strength', '12');
    await page.dispatchEvent('#strength', 'input');
    await page.click('#denoise');
    await page.waitForFunction(() => /placed/.test(document.getElementById('message').textContent), null, { timeout: 5000 });
    const calls = await page.evaluate(() => window.calls);
    assert.deepStrictEqual(calls[0], ['client', 'http://127.0.0.1:50552']);
    assert.deepStrictEqual(calls[1], ['runDenoise', 'premierepro', ['voice', 'noise'], 12]);
    assert.match(await page.locator('#message').textContent(), /^2 stem clip\(s\) placed on new audio tracks\.\nB-roll: skipped, media offline$/);
    assert.strictEqual(await page.locator('#clips li').count(), 1);
    assert.strictEqual(await page.locator('#denoise').isEnabled(), true);
  } finally {
    await browser.close();
  }
});
