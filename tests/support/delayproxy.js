#!/usr/bin/env node
// delayproxy.js - a TCP relay on loopback that holds every chunk it relays
// for DELAY_MS, in each direction: a link with 2 x DELAY_MS more round-trip
// time than loopback, for benchmarks (bench/http2.sh) on a machine where
// tc/netem is not available. Bytes and their order are untouched (TLS passes
// through end to end). The TCP handshake with the relay itself is not
// delayed; the upstream one, made when a client connects, is (the client's
// first bytes wait for it).
//
//   node delayproxy.js --target HOST:PORT --delay-ms N --port-file FILE [--port P]
//
// Binds 127.0.0.1 on an ephemeral port (or P, so a test can kill the relay
// and start it again where its client left it: a network outage), written
// to --port-file once it listens. Runs until killed.
'use strict';
const fs = require('fs');
const net = require('net');

const args = {};
for (let i = 2; i + 1 < process.argv.length; i += 2)
    args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const m = /^([^:]+):(\d+)$/.exec(args.target || '');
const delay = Number(args['delay-ms']);
if (!m || !(delay >= 0) || !args['port-file']) {
    console.error('usage: delayproxy.js --target HOST:PORT --delay-ms N --port-file FILE');
    process.exit(2);
}

// Relays `from` to `to` DELAY_MS later. Timers of one duration fire in the
// order they were set, so the stream keeps its order.
function relay(from, to) {
    from.on('data', (d) => setTimeout(() => { if (!to.destroyed) to.write(d); }, delay));
    from.on('end', () => setTimeout(() => to.end(), delay));
    from.on('error', () => setTimeout(() => to.destroy(), delay));
}

// Nagle's algorithm is off on both sides, as libcurl and nginx have it: with
// it, a small write waiting for the ACK of the one before it (delayed up to
// 40 ms by the peer) would add latency of the relay's own making.
const server = net.createServer({ noDelay: true }, (client) => {
    client.pause();
    // One round trip for the upstream handshake before any byte moves.
    setTimeout(() => {
        const up = net.connect({ port: Number(m[2]), host: m[1], noDelay: true }, () => {
            relay(client, up);
            relay(up, client);
            client.resume();
        });
        up.on('error', () => client.destroy());
    }, 2 * delay);
    client.on('error', () => {});
});
server.listen(Number(args.port || 0), '127.0.0.1', () => {
    fs.writeFileSync(args['port-file'], String(server.address().port));
});
