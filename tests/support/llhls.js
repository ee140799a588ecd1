#!/usr/bin/env node
// llhls.js - a low-latency HLS origin for the player's tests (RFC 8216bis:
// parts, preload hints, blocking playlist reload, delta updates). It runs
// `ffmpeg -re` itself: testsrc2 320x180@30 and a 440 Hz tone, muxed into
// fragmented MP4 on its stdout with a key frame every 6 frames and a
// fragment at each one (-movflags frag_keyframe), so every fragment is a
// 0.2 s part that a decoder can start at. Ten parts make a 2 s segment.
// The stream is cut into boxes (each top-level box's 8-byte header gives
// its size; nothing inside a box is read): ftyp+moov is the init segment,
// each moof+mdat a part.
//
//   node llhls.js --port-file FILE --dir DIR [--seconds N] [--log FILE] [--ready-segments N]
//
// Serves, on 127.0.0.1 (an ephemeral port written to --port-file):
//   /live.m3u8     the media playlist: EXT-X-SERVER-CONTROL CAN-BLOCK-RELOAD,
//                  PART-HOLD-BACK=1.0, CAN-SKIP-UNTIL=12; EXT-X-PART-INF
//                  PART-TARGET=0.2; the last 20 segments with their
//                  EXT-X-PROGRAM-DATE-TIME (the wall clock when their first
//                  frame was produced), the parts of the last 3 and of the
//                  segment being made, and EXT-X-PRELOAD-HINT for the next
//                  part. _HLS_msn=M[&_HLS_part=P] holds the answer until
//                  that part (or all of segment M) exists (503 after 6 s;
//                  400 for one more than 2 segments ahead); _HLS_skip=YES
//                  answers a delta update (EXT-X-SKIP for the segments
//                  that end more than 12 s before the last).
//   /init.mp4, /segN.m4s (whole segments), /partN.I.m4s (parts; the
//                  hinted one is held until it exists, up to 6 s).
// Writes DIR/all.mp4 (init and every part, in order: what a decoder of the
// whole stream reads) and DIR/ready once --ready-segments (default 3)
// segments exist. With --log, one
// JSON line per request: path, query, status, bytes, held (seconds the
// answer waited), skipped (segments a delta update left out).
// Exits when ffmpeg ends (after --seconds, default 60) or on SIGTERM.
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');
const { spawn } = require('child_process');

const args = {};
for (let i = 2; i + 1 < process.argv.length; i += 2)
    args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const USAGE = 'usage: llhls.js --port-file FILE --dir DIR [--seconds N] [--log FILE] ' +
    '[--ready-segments N]\n';
if (!args['port-file'] || !args.dir) {
    process.stderr.write(USAGE);
    process.exit(2);
}
const READY_SEGS = Number(args['ready-segments'] || 3);
if (!Number.isInteger(READY_SEGS) || READY_SEGS < 1) {
    process.stderr.write(`llhls.js: --ready-segments '${args['ready-segments']}': a whole number, at least 1\n`);
    process.exit(2);
}
const PARTS_PER_SEG = 10, PART_S = 0.2, SEG_S = PART_S * PARTS_PER_SEG;
const KEEP_SEGS = 20, PART_SEGS = 3, SKIP_UNTIL = 12, HOLD_MS = 6000;
const dir = path.resolve(args.dir);
const log = args.log ? fs.createWriteStream(args.log, { flags: 'a' }) : null;
const all = fs.createWriteStream(path.join(dir, 'all.mp4'));

let init = null;           // Buffer
const parts = [];          // Buffer per part, global index
let t0 = 0;                // wall clock (ms) of the first frame
let ended = false;
const waiters = new Set(); // functions run whenever a part arrives

function segCount() { return Math.floor(parts.length / PARTS_PER_SEG); }

function partArrived() {
    for (const w of [...waiters])
        w();
}

// ---- ffmpeg and the box cutter -----------------------------------------------
const secs = args.seconds || '60';
const ff = spawn('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error',
    '-re', '-t', secs, '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30',
    '-re', '-t', secs, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency',
    '-pix_fmt', 'yuv420p', '-g', '6', '-keyint_min', '6', '-sc_threshold', '0', '-b:v', '400k',
    '-c:a', 'aac', '-b:a', '64k', '-ac', '2',
    '-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', 'pipe:1'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
let pending = Buffer.alloc(0), initBoxes = [], moof = null;
ff.stdout.on('data', (d) => {
    pending = Buffer.concat([pending, d]);
    for (;;) {
        if (pending.length < 8)
            return;
        const size = pending.readUInt32BE(0), type = pending.toString('latin1', 4, 8);
        if (size < 8) {
            process.stderr.write(`llhls: box ${type} of size ${size}: not a plain MP4 stream\n`);
            process.exit(1);
        }
        if (pending.length < size)
            return;
        const box = pending.subarray(0, size);
        pending = pending.subarray(size);
        if (type === 'ftyp' || type === 'moov') {
            initBoxes.push(Buffer.from(box));
            if (type === 'moov') {
                init = Buffer.concat(initBoxes);
                all.write(init);
            }
        } else if (type === 'moof') {
            moof = Buffer.from(box);
        } else if (type === 'mdat' && moof) {
            const part = Buffer.concat([moof, box]);
            moof = null;
            if (!parts.length)
                t0 = Date.now() - PART_S * 1000; // its first frame was made a part ago
            parts.push(part);
            all.write(part);
            if (segCount() === READY_SEGS && parts.length % PARTS_PER_SEG === 0)
                fs.writeFileSync(path.join(dir, 'ready'), '');
            partArrived();
        }
    }
});
ff.on('exit', (code) => {
    ended = true;
    all.end();
    if (code !== 0 && code !== 255)
        process.stderr.write(`llhls: ffmpeg exited ${code}\n`);
    setTimeout(() => process.exit(code === 0 || code === 255 ? 0 : 1), 200);
});
process.on('SIGTERM', () => { ff.kill('SIGTERM'); });

// ---- the playlist -------------------------------------------------------------
function pdt(seg) { return new Date(t0 + seg * SEG_S * 1000).toISOString(); }

function playlist(skip) {
    const complete = segCount(), first = Math.max(0, complete - KEEP_SEGS);
    const lines = ['#EXTM3U', '#EXT-X-VERSION:9', '#EXT-X-TARGETDURATION:2',
        `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.0,CAN-SKIP-UNTIL=${SKIP_UNTIL}.0`,
        `#EXT-X-PART-INF:PART-TARGET=${PART_S.toFixed(3)}`, `#EXT-X-MEDIA-SEQUENCE:${first}`,
        '#EXT-X-MAP:URI="init.mp4"'];
    let from = first, skipped = 0;
    if (skip) {
        // Segments that end more than CAN-SKIP-UNTIL before the last one ends.
        const limit = complete - SKIP_UNTIL / SEG_S;
        while (from < complete && from + 1 <= limit)
            from++;
        skipped = from - first;
        if (skipped)
            lines.push(`#EXT-X-SKIP:SKIPPED-SEGMENTS=${skipped}`);
    }
    const partLines = (seg, upto) => {
        for (let i = 0; i < upto; i++)
            lines.push(`#EXT-X-PART:DURATION=${PART_S.toFixed(3)},URI="part${seg}.${i}.m4s",INDEPENDENT=YES`);
    };
    for (let s = from; s < complete; s++) {
        lines.push(`#EXT-X-PROGRAM-DATE-TIME:${pdt(s)}`);
        if (s >= complete - PART_SEGS)
            partLines(s, PARTS_PER_SEG);
        lines.push(`#EXTINF:${SEG_S.toFixed(5)},`, `seg${s}.m4s`);
    }
    const made = parts.length - complete * PARTS_PER_SEG;
    if (made > 0)
        lines.push(`#EXT-X-PROGRAM-DATE-TIME:${pdt(complete)}`);
    partLines(complete, made);
    if (!ended)
        lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part${complete}.${made}.m4s"`);
    return { text: lines.join('\n') + '\n', skipped };
}

// ---- the server ------------------------------------------------------------------
function record(req, status, bytes, start, skipped) {
    if (log) {
        const u = new URL(req.url, 'http://127.0.0.1');
        log.write(JSON.stringify({ path: u.pathname, query: u.search, status, bytes,
                                   held: (Date.now() - start) / 1000, skipped }) + '\n');
    }
}

// Runs `ready()` once `have()` holds (now, or when a part arrives), or
// `late()` after HOLD_MS.
function hold(have, ready, late) {
    if (have())
        return ready();
    const timer = setTimeout(() => { waiters.delete(w); late(); }, HOLD_MS);
    const w = () => {
        if (have()) {
            clearTimeout(timer);
            waiters.delete(w);
            ready();
        }
    };
    waiters.add(w);
}

function send(req, res, start, status, body, type, skipped) {
    const headers = { 'Cache-Control': 'no-cache' };
    if (body) {
        headers['Content-Type'] = type;
        headers['Content-Length'] = body.length;
    }
    res.writeHead(status, headers);
    res.end(body || undefined);
    record(req, status, body ? body.length : 0, start, skipped || 0);
}

const server = http.createServer((req, res) => {
    const start = Date.now();
    const u = new URL(req.url, 'http://127.0.0.1');
    const p = u.pathname;
    let m;
    if (p === '/live.m3u8') {
        const msn = u.searchParams.get('_HLS_msn'), part = u.searchParams.get('_HLS_part');
        const skip = u.searchParams.get('_HLS_skip') === 'YES';
        const answer = () => {
            const pl = playlist(skip);
            send(req, res, start, 200, Buffer.from(pl.text), 'application/vnd.apple.mpegurl',
                 pl.skipped);
        };
        if (msn === null)
            return answer();
        const M = parseInt(msn, 10), P = part === null ? -1 : parseInt(part, 10);
        if (!(M >= 0) || (part !== null && !(P >= 0)) || M > segCount() + 2)
            return send(req, res, start, 400, null);
        const need = P >= 0 ? M * PARTS_PER_SEG + P + 1 : (M + 1) * PARTS_PER_SEG;
        return hold(() => parts.length >= need || ended, answer,
                    () => send(req, res, start, 503, null));
    }
    if (p === '/init.mp4')
        return hold(() => init !== null, () => send(req, res, start, 200, init, 'video/mp4'),
                    () => send(req, res, start, 404, null));
    if ((m = /^\/part(\d+)\.(\d+)\.m4s$/.exec(p))) {
        const g = parseInt(m[1], 10) * PARTS_PER_SEG + parseInt(m[2], 10);
        if (parseInt(m[2], 10) >= PARTS_PER_SEG || g > parts.length)
            return send(req, res, start, 404, null); // only the next one is held
        return hold(() => g < parts.length,
                    () => send(req, res, start, 200, parts[g], 'video/iso.segment'),
                    () => send(req, res, start, 404, null));
    }
    if ((m = /^\/seg(\d+)\.m4s$/.exec(p))) {
        const s = parseInt(m[1], 10);
        if (s > segCount())
            return send(req, res, start, 404, null);
        return hold(() => segCount() > s,
                    () => send(req, res, start, 200,
                               Buffer.concat(parts.slice(s * PARTS_PER_SEG, (s + 1) * PARTS_PER_SEG)),
                               'video/iso.segment'),
                    () => send(req, res, start, 404, null));
    }
    send(req, res, start, 404, null);
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => {
    fs.writeFileSync(args['port-file'], String(server.address().port));
});
