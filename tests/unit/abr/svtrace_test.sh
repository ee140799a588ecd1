#!/bin/sh
# svtrace end to end: run and batch on the real traces, outputs that parse,
# byte-identical reruns (and --jobs 1 vs --jobs 2), a JSON video, and bad
# input failing with the file name and line.
# Usage: svtrace_test.sh PATH_TO_SVTRACE   (SV_SHARED_DIR set by CTest)
set -eu
svtrace=$1
: "${SV_SHARED_DIR:?SV_SHARED_DIR is not set: run this test through ctest}"
traces="$SV_SHARED_DIR/data/traces"
video="$traces/pensieve/video_sizes"
[ -d "$traces/pensieve/test" ] || { echo "FAIL: no traces under $traces"; exit 1; }
command -v python3 >/dev/null || { echo "FAIL: python3 missing: run scripts/install-deps.sh"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*"; exit 1; }
nonempty() { for f in "$@"; do [ -s "$f" ] || fail "$f missing or empty"; done; }

# --- run -------------------------------------------------------------------
"$svtrace" --help >/dev/null || fail "svtrace --help"
"$svtrace" run --help | grep -q -- '--trace' || fail "svtrace run --help"
trace="$traces/pensieve/test/norway_bus_1"
for i in 1 2; do
    "$svtrace" run --trace "$trace" --video "$video" --abr hybrid \
        --json "$tmp/run$i.json" --csv "$tmp/run$i.csv" --svg "$tmp/run$i.svg"
done
nonempty "$tmp/run1.json" "$tmp/run1.csv" "$tmp/run1.svg"
for ext in json csv svg; do
    cmp -s "$tmp/run1.$ext" "$tmp/run2.$ext" || fail "run is not deterministic ($ext)"
done
python3 - "$tmp/run1.json" <<'PY' || fail "run JSON"
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("qoe", "rebuffer_s", "rebuffer_ratio", "startup_s", "mean_bitrate_kbps", "switches"):
    assert isinstance(d[k], (int, float)), k
assert d["abr"] == "hybrid" and d["segments"] == 48 and d["trace_format"] == "pensieve"
assert 0 <= d["rebuffer_ratio"] < 1 and 300 <= d["mean_bitrate_kbps"] <= 4300
PY
[ "$(wc -l < "$tmp/run1.csv")" -eq 49 ] || fail "CSV timeline should have a header and 48 rows"
head -1 "$tmp/run1.csv" | grep -q '^segment,request_s,download_s,rung,bitrate_kbps' || fail "CSV header"
head -1 "$tmp/run1.svg" | grep -q '^<?xml' && tail -1 "$tmp/run1.svg" | grep -q '</svg>' ||
    fail "SVG timeline"

# The JSON summary goes to stdout without output options, for every rule.
for rule in bba bola throughput mpc hybrid; do
    "$svtrace" run --trace "$trace" --video "$video" --abr $rule > "$tmp/$rule.json"
    python3 -c "import json,sys; assert json.load(open(sys.argv[1]))['abr']=='$rule'" \
        "$tmp/$rule.json" || fail "run --abr $rule"
done

# A JSON ladder with per-segment sizes, and a CSV trace with RTTs.
cat > "$tmp/video.json" <<'JSON'
{ "segment_duration_s": 2, "bitrates_kbps": [500, 1500, 3000],
  "segments": [[125000, 375000, 750000], [120000, 380000, 760000],
               [130000, 370000, 740000], [125000, 375000, 750000]] }
JSON
printf 'time_s,mbps,rtt_ms\n0,2,50\n1,4,50\n2,1,120\n' > "$tmp/link.csv"
"$svtrace" run --trace "$tmp/link.csv" --video "$tmp/video.json" --json "$tmp/j.json"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['segments']==4 and d['trace_format']=='csv'" \
    "$tmp/j.json" || fail "JSON video"

# --- batch -----------------------------------------------------------------
for jobs in 1 2; do
    "$svtrace" batch --traces "$traces/pensieve/test" --video "$video" \
        --abr bba,bola,throughput,mpc,hybrid --jobs $jobs \
        --json "$tmp/b$jobs.json" --csv "$tmp/b$jobs.csv" --md "$tmp/b$jobs.md" \
        --svg "$tmp/b$jobs.svg" 2> "$tmp/b$jobs.err"
done
nonempty "$tmp/b1.json" "$tmp/b1.csv" "$tmp/b1.md" "$tmp/b1.svg"
for ext in json csv md svg; do
    cmp -s "$tmp/b1.$ext" "$tmp/b2.$ext" || fail "batch --jobs 1 and --jobs 2 differ ($ext)"
done
grep -q 'sessions/s' "$tmp/b2.err" || fail "batch does not print sessions per second"
python3 - "$tmp/b1.json" <<'PY' || fail "batch JSON"
import json, sys
d = json.load(open(sys.argv[1]))
rules = d["rules"]
assert list(rules) == ["bba", "bola", "throughput", "mpc", "hybrid"], list(rules)
for r in rules.values():
    for k in ("mean_qoe", "median_qoe", "p5_qoe", "rebuffer_s", "rebuffer_ratio",
              "mean_bitrate_kbps", "switches"):
        assert isinstance(r[k], (int, float)), k
    assert len(r["qoe_per_trace"]) == 142
assert abs(rules["bba"]["mean_qoe"] - 30.04) <= 0.05, rules["bba"]["mean_qoe"]
assert rules["hybrid"]["mean_qoe"] > rules["mpc"]["mean_qoe"]
PY
grep -q '^| hybrid |' "$tmp/b1.md" || fail "Markdown table"
[ "$(wc -l < "$tmp/b1.csv")" -eq 6 ] || fail "batch CSV should have a header and 5 rows"

# --- bad input ---------------------------------------------------------------
printf '0.0 1.0\n1.0 abc\n' > "$tmp/bad.trace"
if "$svtrace" run --trace "$tmp/bad.trace" --video "$video" 2> "$tmp/err" >/dev/null; then
    fail "a malformed trace was accepted"
fi
grep -q 'bad.trace:2:' "$tmp/err" || fail "no file:line in: $(cat "$tmp/err")"
mkdir "$tmp/dir"
cp "$traces/pensieve/test/norway_bus_1" "$tmp/bad.trace" "$tmp/dir/"
if "$svtrace" batch --traces "$tmp/dir" --video "$video" 2> "$tmp/err" >/dev/null; then
    fail "batch accepted a malformed trace"
fi
grep -q 'bad.trace:2:' "$tmp/err" || fail "batch error lacks file:line: $(cat "$tmp/err")"
printf '{ "segment_duration_s": 4,\n  "bitrates_kbps": [1, 2\n' > "$tmp/bad.json"
if "$svtrace" run --trace "$trace" --video "$tmp/bad.json" 2> "$tmp/err"; then
    fail "a malformed JSON video was accepted"
fi
grep -q 'bad.json:[0-9]' "$tmp/err" || fail "JSON error lacks file:line: $(cat "$tmp/err")"
set +e
"$svtrace" run --trace "$trace" --video "$video" --abr nope 2>/dev/null; rc=$?
"$svtrace" run --trace "$trace" 2>/dev/null; rc2=$?
"$svtrace" run --trace "$trace" --video "$video" --abr bba --param speed=1 2>/dev/null; rc3=$?
set -e
[ $rc -eq 2 ] && [ $rc2 -eq 2 ] && [ $rc3 -eq 2 ] || fail "bad command lines should exit 2 ($rc $rc2 $rc3)"
echo "svtrace: run, batch, determinism and errors OK"
