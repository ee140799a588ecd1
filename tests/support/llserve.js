#!/usr/bin/env node
// llserve.js - a loopback origin for the low-latency live tests: serves the
// files under --root as a packager writes them, the one being written with
// chunked transfer encoding as it grows (node's http module frames the
// chunks; no HTTP code of ours).
//
//   node llserve.js --root DIR --port-file FILE [--log FILE]
//
// GET /PATH:
//   - PATH exists (and no PATH.tmp): the whole file, with Content-Length;
//   - PATH.tmp exists (ffmpeg's dash muxer writes a segment there and
//     renames it when it is complete): 200 with chunked transfer, each write
//     of the producer sent as it lands (polled every 5 ms), ended once PATH
//     exists and every byte of it was sent;
//   - neither yet: held up to 4 s for one of them to appear (a request
//     made at a segment's availability time may beat the producer by a few
//     milliseconds), then 404.
// GET /time: the server's clock as xs:dateTime with milliseconds (DASH
//   UTCTiming urn:mpeg:dash:utc:http-xsdate:2014 and http-iso).
// PUT /PATH (a packager's HTTP upload, e.g. Shaka Packager's, chunked): the
//   body goes to PATH.tmp as it comes and is renamed to PATH at its end, so
//   a GET during the upload is the growing case above; 201 once stored.
// Binds 127.0.0.1 only, on an ephemeral port written to --port-file. With
// --log, one JSON line per request: path, status, bytes, start and end
// (seconds since the epoch), chunked or not.
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');

const args = {};
for (let i = 2; i + 1 < process.argv.length; i += 2)
    args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
if (!args.root || !args['port-file']) {
    process.stderr.write('usage: llserve.js --root DIR --port-file FILE [--log FILE]\n');
    process.exit(2);
}
const root = path.resolve(args.root);
const log = args.log ? fs.createWriteStream(args.log, { flags: 'a' }) : null;
const POLL_MS = 5;
const WAIT_MS = 4000;
const TYPES = { '.mpd': 'application/dash+xml', '.m3u8': 'application/vnd.apple.mpegurl',
                '.m4s': 'video/iso.segment', '.mp4': 'video/mp4' };

function record(req, status, bytes, start, chunked) {
    if (log)
        log.write(JSON.stringify({ path: req.url, status, bytes, start, end: Date.now() / 1000,
                                   chunked }) + '\n');
}

function exists(p) {
    try { return fs.statSync(p).isFile(); } catch (e) { return false; }
}

// Streams `file` from `tmp` (the same inode once renamed) as it grows.
function sendGrowing(req, res, file, tmp, start) {
    let fd;
    try { fd = fs.openSync(tmp, 'r'); } catch (e) {
        // Renamed between the check and the open: it is whole now.
        return sendWhole(req, res, file, start);
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
                         'Cache-Control': 'no-cache' });
    let sent = 0, idle = 0;
    const buf = Buffer.alloc(1 << 16);
    let closed = false;
    res.on('close', () => { closed = true; });
    const pump = () => {
        if (closed) {
            fs.closeSync(fd);
            return record(req, 200, sent, start, true);
        }
        for (;;) {
            const n = fs.readSync(fd, buf, 0, buf.length, sent);
            if (n <= 0)
                break;
            res.write(Buffer.from(buf.subarray(0, n)));
            sent += n;
            idle = 0;
        }
        // Complete: renamed into place, and nothing left to read.
        if (exists(file) && fs.statSync(file).size === sent) {
            fs.closeSync(fd);
            res.end();
            return record(req, 200, sent, start, true);
        }
        // A producer that stopped (killed) must not hold the request forever.
        if (++idle * POLL_MS > 10000) {
            fs.closeSync(fd);
            res.destroy();
            return record(req, 200, sent, start, true);
        }
        setTimeout(pump, POLL_MS);
    };
    pump();
}

function sendWhole(req, res, file, start) {
    let data;
    try { data = fs.readFileSync(file); } catch (e) {
        res.writeHead(404);
        res.end();
        return record(req, 404, 0, start, false);
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
                         'Content-Length': data.length, 'Cache-Control': 'no-cache' });
    res.end(data);
    record(req, 200, data.length, start, false);
}

// An upload: PATH.tmp while it comes, PATH once whole.
function receive(req, res, file, start) {
    const tmp = file + '.tmp';
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const out = fs.createWriteStream(tmp);
    let bytes = 0;
    req.on('data', (b) => { bytes += b.length; out.write(b); });
    req.on('end', () => out.end(() => {
        fs.renameSync(tmp, file);
        res.writeHead(201, { 'Content-Length': 0 });
        res.end();
        record(req, 201, bytes, start, false);
    }));
    req.on('error', () => { out.destroy(); res.destroy(); });
}

const server = http.createServer((req, res) => {
    const start = Date.now() / 1000;
    const url = new URL(req.url, 'http://127.0.0.1');
    if (req.method === 'PUT' || req.method === 'POST') {
        const file = path.join(root, decodeURIComponent(url.pathname));
        if (!file.startsWith(root + path.sep)) {
            res.writeHead(403);
            res.end();
            return record(req, 403, 0, start, false);
        }
        return receive(req, res, file, start);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405);
        res.end();
        return record(req, 405, 0, start, false);
    }
    if (url.pathname === '/time') {
        const body = new Date().toISOString();
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
        res.end(body);
        return record(req, 200, body.length, start, false);
    }
    const file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root + path.sep)) {
        res.writeHead(403);
        res.end();
        return record(req, 403, 0, start, false);
    }
    const tmp = file + '.tmp';
    let waited = 0;
    const attempt = () => {
        if (exists(tmp))
            return sendGrowing(req, res, file, tmp, start);
        if (exists(file))
            return sendWhole(req, res, file, start);
        if ((waited += POLL_MS) > WAIT_MS) {
            res.writeHead(404);
            res.end();
            return record(req, 404, 0, start, false);
        }
        setTimeout(attempt, POLL_MS);
    };
    attempt();
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => {
    fs.writeFileSync(args['port-file'], String(server.address().port));
});
process.on('SIGTERM', () => process.exit(0));
