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
