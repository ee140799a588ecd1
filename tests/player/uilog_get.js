// uilog_get.js FILE WHAT EXPR... - reads svplay's --ui-log (one JSON object
// a line) and prints, space-separated, the values of the dotted paths EXPR
// ("mode", "thumb.2", "bar.0") in the last line whose "what" is WHAT, or
// "count" for how many such lines there are. A missing key prints
// "undefined"; no such line prints nothing and exits 3.
'use strict';
const fs = require('fs');

if (process.argv.length < 5) {
    process.stderr.write('usage: uilog_get.js FILE WHAT EXPR...\n');
    process.exit(2);
}
let text = '';
try {
    text = fs.readFileSync(process.argv[2], 'utf8');
} catch (e) {
    process.exit(3);
}
// The last line may be half written while svplay runs: skip what is not JSON.
const lines = [];
for (const l of text.split('\n')) {
    try {
        const o = JSON.parse(l);
        if (o && o.what === process.argv[3])
            lines.push(o);
    } catch (e) { /* a partial line */ }
}
const out = [];
for (const expr of process.argv.slice(4)) {
    if (expr === 'count') {
        out.push(String(lines.length));
        continue;
    }
    if (!lines.length)
        process.exit(3);
    let v = lines[lines.length - 1];
    for (const key of expr.split('.'))
        v = v === undefined || v === null ? undefined : v[key];
    out.push(typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
}
process.stdout.write(out.join(' ') + '\n');
