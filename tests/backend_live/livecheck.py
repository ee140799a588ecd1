"""livecheck.py - checks of svserver's live output for the backend_live tests.

    livecheck.py media PLAYLIST           tags and part durations of an LL-HLS media playlist
    livecheck.py blocking URL DIR N       N blocking reloads: each asks for the hinted part
                                          (_HLS_msn/_HLS_part) and must be answered within one
                                          part of the part's file landing in DIR
    livecheck.py skip URL                 a delta update (_HLS_skip=YES) against the full one
    livecheck.py hint URL                 the preload hint's part, asked before it exists
    livecheck.py mpd FILE                 the LL-DASH MPD's attributes
    livecheck.py chunked URL DIR          the segment being written, fetched as it grows
    livecheck.py clock BASE REND DIR LAUNCH   the program date times on the capture clock and
                                          the MPD's availability against the parts' landing
                                          (LAUNCH: the wall time the publisher was started)

Each prints what it measured and exits 1 with a reason on a failed check.
"""
import http.client
import os
import re
import sys
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


def attrs(line):
    return dict(re.findall(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)', line.split(":", 1)[1]))


def parse(text):
    tags = {}
    parts, segs = [], []
    for line in text.splitlines():
        if line.startswith("#EXT-X-PART:"):
            a = attrs(line)
            parts.append((float(a["DURATION"]), a["URI"].strip('"'), a.get("INDEPENDENT")))
        elif line.startswith("#EXTINF:"):
            segs.append(float(line[8:].split(",")[0]))
        elif line.startswith("#EXT-X-"):
            name = line.split(":", 1)[0]
            tags.setdefault(name, []).append(line)
    return tags, parts, segs


def hint(text):
    m = re.search(r'#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-(\d+)\.(\d+)\.m4s"', text)
    if not m:
        fail("no EXT-X-PRELOAD-HINT in the playlist")
    return int(m.group(1)), int(m.group(2))


def media(path):
    text = open(path).read()
    tags, parts, segs = parse(text)
    for t in ("#EXT-X-SERVER-CONTROL", "#EXT-X-PART-INF", "#EXT-X-PRELOAD-HINT",
              "#EXT-X-RENDITION-REPORT", "#EXT-X-PROGRAM-DATE-TIME", "#EXT-X-MAP",
              "#EXT-X-TARGETDURATION", "#EXT-X-MEDIA-SEQUENCE"):
        if t not in tags:
            fail("the playlist has no " + t)
    sc = attrs(tags["#EXT-X-SERVER-CONTROL"][0])
    if sc.get("CAN-BLOCK-RELOAD") != "YES":
        fail("CAN-BLOCK-RELOAD is not YES")
    target = float(attrs(tags["#EXT-X-PART-INF"][0])["PART-TARGET"])
    td = int(tags["#EXT-X-TARGETDURATION"][0].split(":")[1])
    if target > 0.5:
        fail("PART-TARGET %.3f > 0.5" % target)
    if float(sc["PART-HOLD-BACK"]) < 2 * target:
        fail("PART-HOLD-BACK %s < twice PART-TARGET" % sc["PART-HOLD-BACK"])
    if float(sc["CAN-SKIP-UNTIL"]) < 6 * td:
        fail("CAN-SKIP-UNTIL %s < six target durations" % sc["CAN-SKIP-UNTIL"])
    if not parts:
        fail("no EXT-X-PART")
    longest = max(d for d, _, _ in parts)
    if longest > target + 1e-6:
        fail("a part lasts %.5f s, over PART-TARGET %.3f" % (longest, target))
    for s in segs:
        if round(s) > td:
            fail("a segment of %.3f s is over the target duration %d" % (s, td))
    if not parts[0][2] and not any(p[2] for p in parts):
        fail("no INDEPENDENT part")
    print("media: PART-TARGET %.3f, %d parts listed (%.3f..%.3f s), %d segments, TD %d, %s"
          % (target, len(parts), min(d for d, _, _ in parts), longest, len(segs), td,
             tags["#EXT-X-SERVER-CONTROL"][0]))


def blocking(url, folder, n):
    delays, waits = [], []
    for _ in range(n):
        _, text = get(url)
        msn, part = hint(text)
        q = "%s?_HLS_msn=%d&_HLS_part=%d" % (url, msn, part)
        t0 = time.time()
        status, body = get(q, timeout=20)
        t1 = time.time()
        name = "part-%d.%d.m4s" % (msn, part)
        if status != 200 or name not in body:
            fail("the blocking reload for %s answered %d without it" % (name, status))
        landed = os.stat(os.path.join(folder, name)).st_mtime
        delays.append(t1 - landed)
        waits.append(t1 - t0)
    delays.sort()
    print("blocking: %d reloads held %.0f..%.0f ms; answered %.1f ms (median), %.1f ms (max) "
          "after the part landed" % (n, min(waits) * 1000, max(waits) * 1000,
                                     delays[n // 2] * 1000, delays[-1] * 1000))
    if max(waits) < 0.05:
        fail("no reload was held: the hinted part was there already")
    if delays[-1] > 0.4:
        fail("a blocking reload was answered %.3f s after its part landed (more than a part)"
             % delays[-1])


def skip(url):
    _, full = get(url)
    _, delta = get(url + "?_HLS_skip=YES")
    m = re.search(r"#EXT-X-SKIP:SKIPPED-SEGMENTS=(\d+)", delta)
    if not m:
        fail("the delta update has no EXT-X-SKIP")
    skipped = int(m.group(1))
    nf = full.count("\nseg-")
    nd = delta.count("\nseg-")
    seq = lambda t: re.search(r"#EXT-X-MEDIA-SEQUENCE:(\d+)", t).group(1)
    if seq(full) != seq(delta):
        fail("the delta update changed the media sequence")
    if nd + skipped not in (nf, nf + 1, nf - 1):
        fail("delta: %d listed + %d skipped, the full playlist %d" % (nd, skipped, nf))
    print("skip: %d segments skipped, %d listed (the full playlist lists %d; %d vs %d bytes)"
          % (skipped, nd, nf, len(delta), len(full)))


def hint_part(url):
    _, text = get(url)
    msn, part = hint(text)
    base = url.rsplit("/", 1)[0]
    t0 = time.time()
    with urllib.request.urlopen("%s/part-%d.%d.m4s" % (base, msn, part), timeout=10) as r:
        body = r.read()
        status = r.status
    t1 = time.time()
    if status != 200 or len(body) < 100:
        fail("the hinted part answered %d with %d bytes" % (status, len(body)))
    print("hint: part %d.%d held %.0f ms, %d bytes" % (msn, part, (t1 - t0) * 1000, len(body)))


NS = {"d": "urn:mpeg:dash:schema:mpd:2011"}


def mpd(path):
    root = ET.parse(path).getroot()
    if root.get("type") != "dynamic":
        fail("the MPD is not dynamic")
    for a in ("availabilityStartTime", "publishTime", "timeShiftBufferDepth",
              "minimumUpdatePeriod"):
        if not root.get(a):
            fail("the MPD has no @" + a)
    lat = root.find("d:ServiceDescription/d:Latency", NS)
    if lat is None or int(lat.get("target")) <= 0:
        fail("no ServiceDescription/Latency@target")
    utc = root.find("d:UTCTiming", NS)
    if utc is None or "http-iso" not in utc.get("schemeIdUri"):
        fail("no UTCTiming http-iso")
    for prt in root.findall("d:Period/d:AdaptationSet/d:ProducerReferenceTime", NS):
        # An ISO wallClockTime needs a UTCTiming child saying so: without
        # one it is an NTP timestamp (ISO/IEC 23009-1 5.12).
        put = prt.find("d:UTCTiming", NS)
        if put is None or "iso" not in put.get("schemeIdUri", ""):
            fail("ProducerReferenceTime wallClockTime=%s has no UTCTiming child of an ISO "
                 "scheme (it would be read as NTP)" % prt.get("wallClockTime"))
    tpls = root.findall("d:Period/d:AdaptationSet/d:SegmentTemplate", NS)
    if not tpls:
        fail("no SegmentTemplate")
    for t in tpls:
        if t.get("availabilityTimeComplete") != "false" or float(
                t.get("availabilityTimeOffset", "0")) <= 0:
            fail("a SegmentTemplate lacks availabilityTimeOffset/availabilityTimeComplete=false")
    print("mpd: dynamic, latency target %s ms, availabilityTimeOffset %s, UTCTiming %s, "
          "timeShiftBufferDepth %s" % (lat.get("target"), tpls[0].get("availabilityTimeOffset"),
                                       utc.get("value"), root.get("timeShiftBufferDepth")))


def chunked(url, folder):
    """Fetches the segment after the last complete one as soon as its part 0 is out."""
    _, text = get(url)
    msn, part = hint(text)
    if part != 0:
        msn += 1  # the next segment: from its start
    u = urllib.parse.urlparse(url)
    base = u.path.rsplit("/", 1)[0]
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
    t0 = time.time()
    conn.request("GET", "%s/seg-%d.m4s" % (base, msn))
    r = conn.getresponse()
    if r.status != 200 or r.getheader("Transfer-Encoding") != "chunked":
        fail("seg-%d: status %d, Transfer-Encoding %s" % (msn, r.status,
                                                         r.getheader("Transfer-Encoding")))
    first = None
    data = b""
    while True:
        b = r.read1(65536) if hasattr(r, "read1") else r.read(65536)
        if not b:
            break
        if first is None:
            first = time.time()
        data += b
    t1 = time.time()
    whole = open(os.path.join(folder, "seg-%d.m4s" % msn), "rb").read()
    if data != whole:
        fail("the chunked seg-%d (%d bytes) differs from the file (%d bytes)"
             % (msn, len(data), len(whole)))
    landed = os.stat(os.path.join(folder, "seg-%d.m4s" % msn)).st_mtime
    print("chunked: seg-%d, %d bytes, first bytes after %.0f ms (%.0f ms before the segment "
          "was complete), whole after %.0f ms, %.0f ms after it was complete" % (
              msn, len(data), (first - t0) * 1000, (landed - first) * 1000, (t1 - t0) * 1000,
              (t1 - landed) * 1000))
    if t1 - landed > 0.4:
        fail("the chunked answer ended %.3f s after the segment was complete" % (t1 - landed))
    if landed - first < 0.3:
        fail("the first bytes came %.3f s before the segment was complete: not sent as its "
             "parts landed" % (landed - first))


def iso(t):
    import calendar
    day, frac = (t.rstrip("Z") + ".0").split(".")[:2]
    return calendar.timegm(time.strptime(day, "%Y-%m-%dT%H:%M:%S")) + float("0." + frac)


def clock(base, rend, folder, launch):
    """The clocks of a publisher's parts: each part's date (its segment's
    EXT-X-PROGRAM-DATE-TIME + the parts before it) + its duration, when its
    last frame reached svserver, cannot be later than the part's file landed
    in DIR; the publisher's first segment is dated within 1 s of the
    publisher's launch; the MPD lists no segment of it before its first part
    landed (availabilityStartTime + Period@start + its end -
    availabilityTimeOffset), from its third segment on."""
    _, text = get("%s/%s/index.m3u8" % (base, rend))
    segs, pdt, parts, first = {}, None, [], None
    for line in text.splitlines():
        if line.startswith("#EXT-X-PROGRAM-DATE-TIME:"):
            pdt = iso(line.split(":", 1)[1])
        elif line == "#EXT-X-DISCONTINUITY":
            first = None
        elif line.startswith("#EXT-X-PART:"):
            a = attrs(line)
            parts.append((a["URI"].strip('"'), float(a["DURATION"])))
        elif line.startswith("seg-"):
            msn = int(line[4:].split(".")[0])
            segs[msn] = pdt
            if first is None:
                first = msn
            for i, (uri, d) in enumerate(parts):
                start = pdt + sum(x for _, x in parts[:i])
                segs[(msn, i)] = (uri, start, d)
            parts = []
    lags = []
    for key, v in sorted((k, v) for k, v in segs.items() if isinstance(k, tuple)):
        uri, start, d = v
        if key[0] < first:
            continue
        landed = os.stat(os.path.join(folder, uri)).st_mtime
        lags.append((landed - (start + d), key))
    if not lags:
        fail("no part of the publisher listed")
    lags.sort()
    early = segs[first] - launch
    print("clock: the first segment (%d) dated %.3f s after the publisher's launch; %d parts "
          "landed %.0f ms (min), %.0f ms (median), %.0f ms (max) after their last frame's date"
          % (first, early, len(lags), lags[0][0] * 1000, lags[len(lags) // 2][0] * 1000,
             lags[-1][0] * 1000))
    if lags[0][0] < -0.02:
        fail("part %d.%d landed %.3f s before the date of its end: its program date time is "
             "late" % (lags[0][1][0], lags[0][1][1], -lags[0][0]))
    if not 0 <= early <= 1.0:
        fail("the publisher's first segment is dated %.3f s after its launch (0 to 1 s)"
             % early)
    _, text = get(base + "/manifest.mpd")
    root = ET.fromstring(text)
    ast = iso(root.get("availabilityStartTime"))
    period = root.findall("d:Period", NS)[-1]
    pstart = float(period.get("start")[2:-1])
    tpl = period.find("d:AdaptationSet/d:SegmentTemplate", NS)
    dur = int(tpl.get("duration")) / int(tpl.get("timescale"))
    ato = float(tpl.get("availabilityTimeOffset"))
    wall = iso(period.find("d:AdaptationSet/d:ProducerReferenceTime", NS).get("wallClockTime"))
    # From the publisher's third segment: the stream-info probe holds the
    # start of the feed (up to 1.5 s) and the anchor's check half a second
    # more, so its first two segments' first parts land in one burst after
    # that; no MPD lists the first before it landed (the Period appears with
    # its first part), and a request for the second that comes early is held
    # until its part lands.
    margins = []
    for msn in range(max(first + 2, int(tpl.get("startNumber"))), max(k for k in segs
                                                                   if not isinstance(k, tuple)) + 1):
        name = os.path.join(folder, "part-%d.0.m4s" % msn)
        if not os.path.exists(name):
            continue
        n = msn - int(tpl.get("startNumber"))
        avail = ast + pstart + (n + 1) * dur - ato
        margins.append((avail - os.stat(name).st_mtime, msn))
    margins.sort()
    print("clock: MPD ProducerReferenceTime %.3f s after the launch (the first segment's date "
          "%+.3f s); segments listed %.0f ms (min) .. %.0f ms (max) after their first part "
          "landed (%d)" % (wall - launch, segs[first] - wall, margins[0][0] * 1000,
                           margins[-1][0] * 1000, len(margins)))
    if abs(segs[first] - wall) > 0.002:
        fail("the ProducerReferenceTime is not the first segment's date")
    # The MPD's times are the capture clock's: a ladder that runs behind
    # it (a machine too busy to encode in real time) lands every part late
    # by its lag, and svserver holds a request that comes early until the
    # part lands. So the bound is that lag (the parts' smallest, measured
    # above), not 0: on a machine that keeps up it is 50-100 ms.
    lag = max(0.0, lags[0][0])
    if margins[0][0] < -0.01 - lag:
        fail("the MPD lists seg-%d %.3f s before its first part landed (the ladder's lag "
             "%.3f s)" % (margins[0][1], -margins[0][0], lag))


cmd = sys.argv[1]
if cmd == "media":
    media(sys.argv[2])
elif cmd == "blocking":
    blocking(sys.argv[2], sys.argv[3], int(sys.argv[4]))
elif cmd == "skip":
    skip(sys.argv[2])
elif cmd == "hint":
    hint_part(sys.argv[2])
elif cmd == "mpd":
    mpd(sys.argv[2])
elif cmd == "chunked":
    chunked(sys.argv[2], sys.argv[3])
elif cmd == "clock":
    clock(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]))
else:
    fail("unknown check " + cmd)
