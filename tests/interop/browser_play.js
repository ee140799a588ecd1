#!/usr/bin/env node
// Plays one HLS or DASH manifest to the end with a third-party player (Shaka
// Player, hls.js or dash.js from npm) in Debian's headless Chromium, and
// prints a JSON summary. Exit status: 0 when the video reached `ended` with no
// player error event and no media element error; 1 otherwise (the summary
// still prints, with the reason); 2 for bad arguments. docs/interop.md has the
// whole story; `browser_play.js --help` lists the options.
//
// The test page (page/) and the player library are copied into
// ROOT/_interop/ and served by sv-faultsrv on 127.0.0.1 together with the
// media in ROOT, so page and media share one origin. An absolute --url on
// another server (svserver) is played cross-origin and needs CORS there.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');

const SRC_DIR = path.resolve(__dirname, '..', '..');
const LIB_FILES = {
  shaka: 'shaka-player/dist/shaka-player.compiled.js',
  hlsjs: 'hls.js/dist/hls.min.js',
  dashjs: 'dashjs/dist/modern/umd/dash.all.min.js',
};
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-dev-shm-usage',
  // Muted playback may start without a user gesture under this policy.
  '--autoplay-policy=no-user-gesture-required',
];

const USAGE = `usage: browser_play.js --player shaka|hlsjs|dashjs --url URL [options]

  --url URL              manifest; relative URLs resolve against the page's server
  --root DIR             serve DIR (media) with sv-faultsrv; default: an empty temp folder
  --scenario FILE        sv-faultsrv scenario (faults to inject while playing)
  --server-log FILE      sv-faultsrv request log (JSON lines)
  --page-url URL         use a page already served there (player.html + lib/); no sv-faultsrv
  --clearkey KID=KEY     ClearKey key, 32 hex digits each; repeatable (Shaka, dash.js)
  --license-url URL      ClearKey license server (W3C JSON request/response)
  --license-header 'N: V'  extra header on license requests; repeatable
  --token T              shorthand for --license-header 'Authorization: Bearer T'
  --prefer-codec C       Shaka: preferred video codec (preferredVideo), e.g. av01, avc1
  --text-track ID        Shaka: show the text track whose originalTextId is ID (CC1,
                         svc1 for CEA-708 service 1 ...); the summary's "textCues" has
                         every cue its text displayer put on the video element
  --text-language L      Shaka: preferredText language L, so that the text track is
                         chosen at load, before the first segment is read
  --rate R               playbackRate, default 1 (tests use 4; Chromium caps at 16)
  --trick R@T:S          Shaka: trickPlay(R) once the position reaches T s, for S s of
                         wall time, then cancelTrickPlay(); the summary's "trick" has the
                         positions and the segment requests made meanwhile (Shaka then
                         buffers 2 s ahead, so that trick play fetches)
  --live S               a live stream (shaka, hlsjs): low-latency settings, play S seconds
                         from the first frame, sample the latency (summary "live")
  --load-timeout S       seconds until the duration is known, default 30
  --timeout S            overall limit; default load-timeout + 2 x duration / rate + 20
  --tools DIR            npm tools folder (scripts/install-npm-tools.sh installs it if needed)
  --faultsrv PATH        sv-faultsrv binary; default $SV_BUILD_DIR/tests/support/sv-faultsrv
  --chromium PATH        browser binary; default $SV_CHROMIUM or /usr/bin/chromium
  --json-out FILE        also write the summary there
  --verbose              progress on stderr
`;

function usage(msg) {
  if (msg)
    process.stderr.write(`browser_play: ${msg}\n`);
  process.stderr.write(USAGE);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { clearkeys: null, licenseHeaders: null, rate: 1, loadTimeout: 30 };
  const need = (i) => {
    if (i + 1 >= argv.length)
      usage(`${argv[i]} needs a value`);
    return argv[i + 1];
  };
  const num = (name, v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0)
      usage(`${name}: expected a positive number, got '${v}'`);
    return n;
  };
  const header = (v) => {
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/.exec(v);
    if (!m)
      usage(`--license-header: expected 'Name: value', got '${v}'`);
    o.licenseHeaders = Object.assign(o.licenseHeaders || {}, { [m[1]]: m[2] });
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
    case '--player': o.player = need(i); i++; break;
    case '--url': o.url = need(i); i++; break;
    case '--root': o.root = need(i); i++; break;
    case '--scenario': o.scenario = need(i); i++; break;
    case '--server-log': o.serverLog = need(i); i++; break;
    case '--page-url': o.pageUrl = need(i); i++; break;
    case '--license-url': o.licenseUrl = need(i); i++; break;
    case '--license-header': header(need(i)); i++; break;
    case '--token': header(`Authorization: Bearer ${need(i)}`); i++; break;
    case '--prefer-codec': o.preferCodec = need(i); i++; break;
    case '--text-track': o.textTrack = need(i); i++; break;
    case '--text-language': o.textLanguage = need(i); i++; break;
    case '--rate': o.rate = num(a, need(i)); i++; break;
    case '--trick': {
      const m = /^([0-9.]+)@([0-9.]+):([0-9.]+)$/.exec(need(i));
      if (!m)
        usage(`--trick: expected RATE@AT:SECONDS, got '${argv[i + 1]}'`);
      o.trick = { rate: num(a, m[1]), at: Number(m[2]), for: num(a, m[3]) };
      i++;
      break;
    }
    case '--load-timeout': o.loadTimeout = num(a, need(i)); i++; break;
    case '--timeout': o.timeout = num(a, need(i)); i++; break;
    case '--live': o.live = num(a, need(i)); i++; break;
    case '--tools': o.tools = need(i); i++; break;
    case '--faultsrv': o.faultsrv = need(i); i++; break;
    case '--chromium': o.chromium = need(i); i++; break;
    case '--json-out': o.jsonOut = need(i); i++; break;
    case '--verbose': o.verbose = true; break;
    case '--clearkey': {
      const m = /^([0-9a-fA-F]{32})[=:]([0-9a-fA-F]{32})$/.exec(need(i));
      if (!m)
        usage(`--clearkey: expected KID=KEY in hex (32 digits each), got '${argv[i + 1]}'`);
      o.clearkeys = Object.assign(o.clearkeys || {}, { [m[1].toLowerCase()]: m[2].toLowerCase() });
      i++;
      break;
    }
    case '-h': case '--help': process.stdout.write(USAGE); process.exit(0); break;
    default: usage(`unknown argument '${a}'`);
    }
  }
  if (!LIB_FILES[o.player])
    usage('--player must be shaka, hlsjs or dashjs');
  if (!o.url)
    usage('--url is required');
  if (o.preferCodec && o.player !== 'shaka')
    usage('--prefer-codec is for --player shaka');
  if (o.textTrack && o.player !== 'shaka')
    usage('--text-track is for --player shaka');
  if (o.live && o.player === 'dashjs')
    usage('--live is for --player shaka or hlsjs');
  if (o.live && o.rate !== 1)
    usage('--live plays at the live rate: no --rate');
  if (o.rate > 16)
    usage('--rate: Chromium plays at most 16x');
  if (o.pageUrl && (o.root || o.scenario || o.serverLog))
    usage('--page-url cannot be combined with --root, --scenario or --server-log');
  return o;
}

function log(o, msg) {
  if (o.verbose)
    process.stderr.write(`browser_play: ${msg}\n`);
}

function toolsDir(o) {
  const env = process.env;
  const dir = o.tools || env.SV_NPM_TOOLS_DIR ||
    (env.SV_BUILD_DIR ? path.join(env.SV_BUILD_DIR, 'npm-tools') : path.join(SRC_DIR, 'build', 'npm-tools'));
  // Quiet and fast (no npm run) when the pinned versions are already there.
  const r = spawnSync(path.join(SRC_DIR, 'scripts', 'install-npm-tools.sh'), [dir],
                      { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(`scripts/install-npm-tools.sh ${dir} failed (status ${r.status})`);
  return r.stdout.trim().split('\n').pop();
}

// Copies the page and the one library it needs under ROOT/_interop/.
function stagePage(root, tools, player) {
  const dest = path.join(root, '_interop');
  fs.mkdirSync(path.join(dest, 'lib'), { recursive: true });
  for (const f of ['player.html', 'player.js', 'live.js'])
    fs.copyFileSync(path.join(__dirname, 'page', f), path.join(dest, f));
  const lib = path.join(tools, 'node_modules', LIB_FILES[player]);
  fs.copyFileSync(lib, path.join(dest, 'lib', path.basename(lib)));
}

function sleep(msec) {
  return new Promise((resolve) => setTimeout(resolve, msec));
}

async function startFaultsrv(o, root, tmp) {
  const bin = o.faultsrv || (process.env.SV_BUILD_DIR ?
    path.join(process.env.SV_BUILD_DIR, 'tests', 'support', 'sv-faultsrv') : 'sv-faultsrv');
  const portFile = path.join(tmp, 'port');
  const args = ['--root', root, '--listen', '127.0.0.1:0', '--port-file', portFile];
  if (o.scenario)
    args.push('--scenario', o.scenario);
  if (o.serverLog)
    args.push('--log', o.serverLog);
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let exited = null;
  child.stderr.on('data', (d) => { stderr += d; });
  child.on('exit', (code, sig) => { exited = sig || code; });
  child.on('error', (e) => { exited = e.message; });
  for (let i = 0; i < 100; i++) {
    if (exited !== null)
      throw new Error(`sv-faultsrv (${bin}) exited during start-up (${exited}): ${stderr.trim()}`);
    if (fs.existsSync(portFile) && fs.readFileSync(portFile, 'utf8').trim())
      return { child, port: Number(fs.readFileSync(portFile, 'utf8').trim()) };
    await sleep(50);
  }
  child.kill('SIGTERM');
  throw new Error(`sv-faultsrv did not write its port file within 5 s: ${stderr.trim()}`);
}

function stopFaultsrv(srv) {
  if (!srv || srv.child.exitCode !== null)
    return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => { srv.child.kill('SIGKILL'); }, 3000);
    srv.child.on('exit', () => { clearTimeout(timer); resolve(); });
    srv.child.kill('SIGTERM');
  });
}

// Live: plays o.live seconds from the first frame (load-timeout to get
// there, or --timeout overall); no end to wait for.
async function watchLive(o, page) {
  const started = Date.now();
  const limit = o.timeout ? o.timeout * 1000 : (o.loadTimeout + o.live + 5) * 1000;
  for (;;) {
    const st = await page.evaluate(() => window.svInterop.status());
    if (st.phase === 'failed')
      return { st, reason: 'error event' };
    const lv = st.live;
    if (lv && lv.startMs !== null && st.elapsedMs - lv.startMs >= o.live * 1000)
      return { st, reason: null };
    if (lv && lv.startMs === null && Date.now() - started > o.loadTimeout * 1000)
      return { st, reason: `no first frame within ${o.loadTimeout} s (phase ${st.phase})` };
    if (st.ended)
      return { st, reason: `the stream ended at ${st.currentTime.toFixed(2)} s during the live window` };
    if (Date.now() - started > limit)
      return { st, reason: `timed out after ${((Date.now() - started) / 1000).toFixed(1)} s ` +
                           `at ${st.currentTime.toFixed(2)} s (phase ${st.phase})` };
    await sleep(250);
  }
}

// Waits for the end of playback; returns the last status and why it stopped.
async function watch(o, page) {
  if (o.live)
    return watchLive(o, page);
  const started = Date.now();
  let limit = o.timeout ? o.timeout * 1000 : o.loadTimeout * 1000;
  let st = null;
  let lastPos = -1;
  for (;;) {
    st = await page.evaluate(() => window.svInterop.status());
    if (!o.timeout && Number.isFinite(st.duration) && st.duration > 0 && limit === o.loadTimeout * 1000)
      limit = o.loadTimeout * 1000 + (2 * st.duration / o.rate + 20) * 1000;
    if (st.currentTime !== lastPos) {
      log(o, `t=${st.currentTime.toFixed(2)}/${st.duration} phase=${st.phase}`);
      lastPos = st.currentTime;
    }
    if (st.phase === 'failed')
      return { st, reason: 'error event' };
    if (st.phase === 'ended' || st.ended)
      return { st, reason: null };
    if (Date.now() - started > limit)
      return { st, reason: `timed out after ${((Date.now() - started) / 1000).toFixed(1)} s ` +
                           `at ${st.currentTime.toFixed(2)} of ${st.duration} s (phase ${st.phase})` };
    await sleep(200);
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const summary = { ok: false, player: o.player, url: o.url, rate: o.rate };
  const t0 = Date.now();
  let tmp = null;
  let srv = null;
  let browser = null;
  try {
    const tools = toolsDir(o);
    const { chromium } = require(path.join(tools, 'node_modules', 'playwright-core'));
    let pageUrl = o.pageUrl;
    if (!pageUrl) {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-interop-'));
      const root = o.root ? path.resolve(o.root) : path.join(tmp, 'www');
      fs.mkdirSync(root, { recursive: true });
      stagePage(root, tools, o.player);
      srv = await startFaultsrv(o, root, tmp);
      pageUrl = `http://127.0.0.1:${srv.port}/_interop/player.html`;
    }
    const url = new URL(o.url, new URL('/', pageUrl)).href;
    const licenseUrl = o.licenseUrl ? new URL(o.licenseUrl, new URL('/', pageUrl)).href : null;
    summary.url = url;
    summary.page = pageUrl;
    log(o, `page ${pageUrl}, manifest ${url}`);

    const exe = o.chromium || process.env.SV_CHROMIUM || '/usr/bin/chromium';
    if (!fs.existsSync(exe))
      throw new Error(`${exe} is missing: run scripts/install-deps.sh`);
    browser = await chromium.launch({ executablePath: exe, headless: true, args: CHROMIUM_FLAGS,
                                      timeout: 30000 });
    summary.browser = browser.version();
    const page = await browser.newPage();
    const pageErrors = [];
    const consoleErrors = [];
    page.on('pageerror', (e) => pageErrors.push(String(e && e.message || e)));
    page.on('console', (m) => {
      if (m.type() === 'error' && consoleErrors.length < 50)
        consoleErrors.push(m.text());
    });
    const resp = await page.goto(pageUrl, { timeout: 15000 });
    if (!resp || !resp.ok())
      throw new Error(`page ${pageUrl}: HTTP ${resp ? resp.status() : 'no response'}`);
    await page.evaluate((opts) => { window.svInterop.start(opts); },
                        { player: o.player, url, rate: o.rate, clearkeys: o.clearkeys,
                          preferCodec: o.preferCodec || null, live: !!o.live,
                          trick: o.trick || null, textTrack: o.textTrack || null,
                          textLanguage: o.textLanguage || null,
                          licenseUrl, licenseHeaders: o.licenseHeaders });
    const { st, reason } = await watch(o, page);
    Object.assign(summary, {
      version: st.version,
      duration: st.duration,
      currentTime: st.currentTime,
      ended: st.ended,
      playbackRate: st.playbackRate,
      videoWidth: st.videoWidth,
      videoHeight: st.videoHeight,
      played: st.played,
      totalVideoFrames: st.totalVideoFrames,
      droppedVideoFrames: st.droppedVideoFrames,
      decodedFrames: st.decodedFrames,
      audioDecodedBytes: st.audioDecodedBytes,
      firstFrameMs: st.firstFrameMs,
      rebuffers: st.rebuffers,
      live: st.live || undefined,
      videoCodecs: st.videoCodecs,
      manifestVideoCodecs: st.manifestVideoCodecs,
      trickModes: st.trickModes,
      imageTracks: st.imageTracks,
      thumbnails: st.thumbnails,
      timeline: st.timeline,
      interstitials: st.interstitials || [],
      trick: st.trick || undefined,
      textTracks: st.textTracks || [],
      textCues: st.textCues || [],
      errors: st.errors.concat(pageErrors.map((m) => ({ source: 'pageerror', message: m }))),
      warnings: st.warnings || [],
      consoleErrors,
    });
    if (reason || summary.errors.length > 0) {
      summary.failure = reason || 'page error';
      summary.events = st.events.slice(-40);
    } else {
      summary.ok = true;
    }
  } catch (e) {
    summary.failure = String(e && e.message || e);
  } finally {
    if (browser)
      await browser.close().catch(() => {});
    await stopFaultsrv(srv);
    if (tmp)
      fs.rmSync(tmp, { recursive: true, force: true });
  }
  summary.wallSeconds = (Date.now() - t0) / 1000;
  const text = JSON.stringify(summary, null, 2) + '\n';
  if (o.jsonOut)
    fs.writeFileSync(o.jsonOut, text);
  process.stdout.write(text);
  if (!summary.ok)
    process.stderr.write(`browser_play: FAIL (${o.player} ${summary.url}): ${summary.failure}\n`);
  process.exit(summary.ok ? 0 : 1);
}

main();
