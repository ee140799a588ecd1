// json_get.js FILE EXPR - prints one value of a JSON file for the shell tests.
// EXPR is a dotted path: "decoded_frames", "error.code", "renditions.0.index",
// "renditions.length". Numbers and strings print as they are, objects and
// arrays as JSON, null as "null", a missing key as "undefined". A file that is
// not JSON exits 1 with the parser's message.
'use strict';
const fs = require('fs');

if (process.argv.length !== 4) {
    process.stderr.write('usage: json_get.js FILE EXPR\n');
    process.exit(2);
}
let v;
try {
    v = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
} catch (e) {
    process.stderr.write(`json_get: ${process.argv[2]}: ${e.message}\n`);
    process.exit(1);
}
for (const key of process.argv[3].split('.')) {
    if (v === null || v === undefined) {
        v = undefined;
        break;
    }
    v = v[key];
}
if (v === undefined)
    console.log('undefined');
else if (v === null)
    console.log('null');
else if (typeof v === 'object')
    console.log(JSON.stringify(v));
else
    console.log(String(v));
