#!/usr/bin/env node
// Asks Debian's headless Chromium (launched with the flags browser_play.js
// uses) whether Media Source Extensions take each given type, and prints one
// line per type: "yes TYPE" or "no TYPE". The interop tests play a codec only
// where the browser says it can (Chromium decodes HEVC only through a
// platform decoder, which a GPU-less headless run does not have).
//
//   mse_supported.js [--tools DIR] [--chromium PATH] TYPE...
//     e.g. 'video/mp4; codecs="hvc1.1.6.L93.90"'
//
// Exit status 0 when every answer was printed, 2 for bad arguments, 1 when
// the browser could not be asked.
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const SRC_DIR = path.resolve(__dirname, '..', '..');
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
                        '--disable-dev-shm-usage'];

function usage(msg) {
  process.stderr.write(`mse_supported: ${msg}\n` +
                       'usage: mse_supported.js [--tools DIR] [--chromium PATH] TYPE...\n');
  process.exit(2);
}

async function main() {
  const argv = process.argv.slice(2);
  const types = [];
  let tools = null;
  let exe = process.env.SV_CHROMIUM || '/usr/bin/chromium';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--tools' || argv[i] === '--chromium') {
      if (i + 1 >= argv.length)
        usage(`${argv[i]} needs a value`);
      if (argv[i] === '--tools')
        tools = argv[++i];
      else
        exe = argv[++i];
    } else if (argv[i].startsWith('--')) {
      usage(`unknown option '${argv[i]}'`);
    } else {
      types.push(argv[i]);
    }
  }
  if (types.length === 0)
    usage('no type given');
  const env = process.env;
  const dir = tools || env.SV_NPM_TOOLS_DIR ||
    (env.SV_BUILD_DIR ? path.join(env.SV_BUILD_DIR, 'npm-tools') : path.join(SRC_DIR, 'build', 'npm-tools'));
  const r = spawnSync(path.join(SRC_DIR, 'scripts', 'install-npm-tools.sh'), [dir],
                      { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(`scripts/install-npm-tools.sh ${dir} failed (status ${r.status})`);
  const modules = path.join(r.stdout.trim().split('\n').pop(), 'node_modules');
  if (!fs.existsSync(exe))
    throw new Error(`${exe} is missing: run scripts/install-deps.sh`);
  const { chromium } = require(path.join(modules, 'playwright-core'));
  const browser = await chromium.launch({ executablePath: exe, headless: true, args: CHROMIUM_FLAGS,
                                          timeout: 30000 });
  try {
    const page = await browser.newPage();
    const answers = await page.evaluate((list) => list.map((t) => MediaSource.isTypeSupported(t)),
                                        types);
    types.forEach((t, i) => process.stdout.write(`${answers[i] ? 'yes' : 'no'} ${t}\n`));
    process.stderr.write(`mse_supported: asked Chromium ${browser.version()}\n`);
  } finally {
    await browser.close().catch(() => {});
  }
}

main().catch((e) => {
  process.stderr.write(`mse_supported: ${e && e.message || e}\n`);
  process.exit(1);
});
