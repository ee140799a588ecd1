#!/usr/bin/env node
// Asserts on the summary of a live play (browser_play.js --live S), one
// "ok:" line per check, and prints the latency figures.
//
//   check_live.js SUMMARY.json [--advance S] [--max-latency S] [--parts]
//
// Checks: no error event and the window played to its end; currentTime grew
// by at least --advance seconds (default 15) from the first frame; the
// rebuffer count is there; the median of the latency the player itself
// reports (hls.js `latency`, Shaka getStats().liveLatency) is below
// --max-latency (default 6) seconds; the player ran in its low-latency mode.
// --parts (hls.js): LL-HLS parts were loaded and playlists were reloaded
// with _HLS_msn (blocking reloads). Shaka: media segments were requested.
// The last line, "latency: ...", gives p50 / p95 / max of each figure
// (player, edge, wall, and the buffer ahead: page/live.js says what each is).
'use strict';

const fs = require('fs');

const args = process.argv.slice(2);
if (args.length < 1) {
  process.stderr.write('usage: check_live.js SUMMARY.json [--advance S] [--max-latency S] ' +
                       '[--parts]\n');
  process.exit(2);
}
const s = JSON.parse(fs.readFileSync(args[0], 'utf8'));
const opt = { advance: 15, 'max-latency': 6, parts: false };
for (let i = 1; i < args.length; i++) {
  const k = args[i].replace(/^--/, '');
  if (k === 'parts') {
    opt.parts = true;
  } else if (k in opt && i + 1 < args.length && Number.isFinite(Number(args[i + 1]))) {
    opt[k] = Number(args[++i]);
  } else {
    process.stderr.write(`check_live.js: bad argument '${args[i]}'\n`);
    process.exit(2);
  }
}

let failed = 0;
function check(what, cond, detail) {
  console.log(`${cond ? 'ok' : 'FAIL'}: ${what}${detail !== undefined ? ` (${detail})` : ''}`);
  if (!cond)
    failed++;
}

// Nearest-rank percentile of the finite values; null when there are none.
function pct(values, p) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0)
    return null;
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil(p / 100 * v.length) - 1))];
}

function fmt(x) {
  return x === null ? '-' : x.toFixed(2);
}

const lv = s.live || null;
const tag = `${s.player} ${s.version || '?'} in Chromium ${s.browser || '?'}`;
check(`${tag}: played the live window with no error`, s.ok === true && !!lv, s.failure);
check('no error events', Array.isArray(s.errors) && s.errors.length === 0,
      JSON.stringify(s.errors || []).slice(0, 400));
if (!lv) {
  console.log('FAIL: the summary has no live report');
  process.exit(1);
}
const advance = s.currentTime - lv.startPos;
check(`currentTime grew by >= ${opt.advance} s`, advance >= opt.advance,
      `${lv.startPos} -> ${s.currentTime}: ${advance.toFixed(2)} s`);
check('rebuffer count reported', Number.isInteger(s.rebuffers),
      `${s.rebuffers} rebuffer(s)`);
check('decoded video frames > 0', s.decodedFrames > 0,
      `decoded ${s.decodedFrames}, dropped ${s.droppedVideoFrames}, ${s.videoWidth}x${s.videoHeight}`);
check('the player ran in low-latency mode', lv.lowLatencyMode === true,
      `lowLatencyMode ${lv.lowLatencyMode}, target latency ${lv.targetLatency} s`);
if (opt.parts) {
  check('LL-HLS parts were loaded', lv.partsLoaded > 0,
        `${lv.partsLoaded} parts, ${lv.fragmentsLoaded} whole segments`);
  check('playlists were blocking reloads (_HLS_msn)', lv.blockingReloads > 0,
        `${lv.blockingReloads} blocking, ${lv.deltaUpdates} with _HLS_skip`);
}
if (s.player === 'shaka')
  check('media segments were requested', lv.segmentRequests > 0, `${lv.segmentRequests} requests`);

const figs = {};
for (const k of ['player', 'edge', 'wall', 'buffer']) {
  const v = lv.samples.map((x) => x[k]).filter((x) => x !== null);
  figs[k] = { n: v.length, p50: pct(v, 50), p95: pct(v, 95), max: pct(v, 100) };
}
const p = figs.player;
const own = s.player === 'shaka' ? 'getStats().liveLatency' : 'latency';
check(`the player reports its latency (${own})`, p.n >= 10, `${p.n} of ${lv.samples.length} samples`);
check(`its median latency < ${opt['max-latency']} s`, p.p50 !== null && p.p50 < opt['max-latency'],
      `p50 ${fmt(p.p50)} s`);
const rates = lv.samples.map((x) => x.rate);
console.log(`latency: ${s.player} ${s.version}: ` +
            Object.keys(figs).map((k) => `${k} p50 ${fmt(figs[k].p50)} ` +
                                         `p95 ${fmt(figs[k].p95)} max ${fmt(figs[k].max)}`).join('; ') +
            ` s; rate ${Math.min(...rates)}..${Math.max(...rates)}; rebuffers ${s.rebuffers}`);
process.exit(failed ? 1 : 0);
