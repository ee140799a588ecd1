#!/usr/bin/env node
// Asserts on a browser_play.js summary, one "ok:" line per check, so a failed
// interop test says which property of the playback was wrong.
//
//   check_summary.js SUMMARY.json [--duration S] [--size WxH] [--codec PREFIX] [--expect-fail TEXT]
//
// Default checks: the player ended with no error event, currentTime reached
// duration - 0.5 s, the played ranges start at 0 and end at the end, and
// Chromium decoded video frames. --duration also pins the duration (+-0.5 s),
// --size the picture size, --codec PREFIX the codec of every variant Shaka
// played (av01, avc1...). --expect-fail inverts the verdict: playback must
// have failed, with TEXT somewhere in the recorded errors.
'use strict';

const fs = require('fs');

const args = process.argv.slice(2);
if (args.length < 1) {
  process.stderr.write('usage: check_summary.js SUMMARY.json [--duration S] [--size WxH] [--codec PREFIX] [--expect-fail TEXT]\n');
  process.exit(2);
}
const s = JSON.parse(fs.readFileSync(args[0], 'utf8'));
const opt = {};
for (let i = 1; i + 1 < args.length; i += 2)
  opt[args[i].replace(/^--/, '')] = args[i + 1];

let failed = 0;
function check(what, cond, detail) {
  if (cond) {
    console.log(`ok: ${what}${detail ? ` (${detail})` : ''}`);
  } else {
    console.log(`FAIL: ${what}${detail ? ` (${detail})` : ''}`);
    failed++;
  }
}

const tag = `${s.player} ${s.version || '?'} in Chromium ${s.browser || '?'}`;
if (opt['expect-fail'] !== undefined) {
  const errs = JSON.stringify(s.errors || []) + ' ' + (s.failure || '');
  check(`${tag}: playback failed`, s.ok === false, s.failure);
  check('did not reach the end', s.ended !== true, `currentTime ${s.currentTime}`);
  check(`errors mention '${opt['expect-fail']}'`, errs.includes(opt['expect-fail']),
        errs.slice(0, 300));
} else {
  const played = s.played || [];
  const end = played.length ? played[played.length - 1][1] : 0;
  check(`${tag}: reached ended`, s.ok === true && s.ended === true, s.failure);
  check('no error events', Array.isArray(s.errors) && s.errors.length === 0,
        JSON.stringify(s.errors || []).slice(0, 400));
  check('duration known', s.duration > 0 && Number.isFinite(s.duration), `${s.duration} s`);
  check('currentTime >= duration - 0.5', s.currentTime >= s.duration - 0.5,
        `${s.currentTime} of ${s.duration}`);
  check('played from 0 to the end', played.length > 0 && played[0][0] <= 0.5 &&
        end >= s.duration - 0.5, JSON.stringify(played));
  check('decoded video frames > 0', s.decodedFrames > 0 && s.totalVideoFrames > 0,
        `decoded ${s.decodedFrames}, total ${s.totalVideoFrames}, dropped ${s.droppedVideoFrames}`);
  if (opt.duration !== undefined)
    check(`duration ${opt.duration} +- 0.5 s`, Math.abs(s.duration - Number(opt.duration)) <= 0.5,
          `${s.duration} s`);
  if (opt.codec !== undefined) {
    const used = s.videoCodecs || [];
    check(`every variant played is ${opt.codec}`, used.length > 0 &&
          used.every((c) => c.startsWith(opt.codec)),
          `played ${JSON.stringify(used)}, kept ${JSON.stringify(s.manifestVideoCodecs || [])}`);
  }
  if (opt.size !== undefined)
    check(`picture ${opt.size}`, `${s.videoWidth}x${s.videoHeight}` === opt.size,
          `${s.videoWidth}x${s.videoHeight}`);
}
if ((s.warnings || []).length > 0)
  console.log(`note: the player recovered from ${s.warnings.map((w) => w.details).join(', ')}`);
console.log(`summary: ${s.player} ${s.url} in ${s.wallSeconds} s`);
process.exit(failed ? 1 : 0);
