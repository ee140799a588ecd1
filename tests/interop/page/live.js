// Live playback for the interop page (player.js): the low-latency settings
// each player is given, the counters that show its low-latency path was
// taken, and the latency samples. browser_play.js --live turns it on;
// player.js calls window.svLive.* and status() returns live.report().
//
// Latency, three ways, each read from the player or the media element:
//   player  the player's own figure: hls.js `latency`, Shaka
//           getStats().liveLatency
//   edge    seconds from the playhead to the end of the live window:
//           hls.js liveSyncPosition + targetLatency - currentTime is its own
//           `latency`, so here Shaka's seekRange().end - currentTime
//   wall    now minus the program date time of the presented frame (hls.js
//           playingDate, Shaka getPlayheadTimeAsDate()): svserver stamps a
//           segment with the wall clock its first frame reached it, so this is
//           ingest-to-screen, the figure svplay reports as live_latency
// and beside them `buffer`, the media buffered ahead of the playhead.
'use strict';

(function () {
  const MAX_SAMPLES = 1000;     // 500 s at one every 500 ms (bench/live_latency.sh plays 300 s)
  const video = document.getElementById('video');
  const r = {
    startMs: null,           // page time of the first frame
    startPos: null,          // currentTime at the first frame
    samples: [],             // { t, pos, rate, player, edge, wall, buffer }
    fragmentsLoaded: 0,      // hls.js: whole segments loaded
    partsLoaded: 0,          // hls.js: LL-HLS parts loaded
    blockingReloads: 0,      // hls.js: playlist requests with _HLS_msn
    deltaUpdates: 0,         // hls.js: playlist requests with _HLS_skip
    segmentRequests: 0,      // Shaka: media segment requests
    lowLatencyMode: null,    // as the player's configuration reads back
    targetLatency: null,     // hls.js targetLatency / Shaka's (ServiceDescription)
  };
  let player = null;
  let kind = null;
  let timer = null;

  function round(x) {
    return Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null;
  }

  function countPlaylist(url) {
    if (!url)
      return;
    if (url.indexOf('_HLS_msn=') >= 0)
      r.blockingReloads++;
    if (url.indexOf('_HLS_skip=') >= 0)
      r.deltaUpdates++;
  }

  // hls.js in low-latency mode: parts, preload hints, blocking reloads, and
  // a playback rate of up to 1.05 to hold PART-HOLD-BACK.
  function hlsConfig(cfg) {
    cfg.lowLatencyMode = true;
    cfg.maxLiveSyncPlaybackRate = 1.05;
    return cfg;
  }

  function attachHls(hls, Hls) {
    player = hls;
    kind = 'hlsjs';
    r.lowLatencyMode = hls.config.lowLatencyMode;
    hls.on(Hls.Events.FRAG_LOADED, function (ev, data) {
      if (data.part)
        r.partsLoaded++;
      else
        r.fragmentsLoaded++;
    });
    hls.on(Hls.Events.LEVEL_LOADING, function (ev, data) { countPlaylist(data.url); });
    hls.on(Hls.Events.AUDIO_TRACK_LOADING, function (ev, data) { countPlaylist(data.url); });
  }

  // Shaka Player in low-latency mode (its LL preset: no segment-boundary
  // start, a small rebuffering goal, availabilityTimeOffset honoured) with
  // its latency controller on; the target comes from the MPD's
  // ServiceDescription.
  function shakaConfig(cfg) {
    cfg.streaming = Object.assign(cfg.streaming || {}, {
      lowLatencyMode: true,
      liveSync: { enabled: true, minPlaybackRate: 0.95, maxPlaybackRate: 1.05 },
    });
    return cfg;
  }

  function attachShaka(p, shaka) {
    player = p;
    kind = 'shaka';
    r.lowLatencyMode = p.getConfiguration().streaming.lowLatencyMode;
    const SEGMENT = shaka.net.NetworkingEngine.RequestType.SEGMENT;
    p.getNetworkingEngine().registerRequestFilter(function (type) {
      if (type === SEGMENT)
        r.segmentRequests++;
    });
  }

  function sample(t) {
    if (!player || r.samples.length >= MAX_SAMPLES)
      return;
    const s = { t: t, pos: round(video.currentTime), rate: video.playbackRate,
                player: null, edge: null, wall: null, buffer: null };
    const b = video.buffered;
    for (let i = 0; i < b.length; i++)
      if (b.start(i) <= video.currentTime + 0.1 && b.end(i) >= video.currentTime)
        s.buffer = round(b.end(i) - video.currentTime);
    let date = null;
    if (kind === 'hlsjs') {
      s.player = round(player.latency);
      s.edge = s.player;
      r.targetLatency = round(player.targetLatency);
      date = player.playingDate;
    } else {
      // liveSync aims at the MPD's ServiceDescription target when it has one.
      const m = player.getManifest ? player.getManifest() : null;
      const sd = m && m.serviceDescription;
      r.targetLatency = round(sd && sd.targetLatency != null ? sd.targetLatency :
        player.getConfiguration().streaming.liveSync.targetLatency);
      s.player = round(player.getStats().liveLatency);
      s.edge = round(player.seekRange().end - video.currentTime);
      date = player.getPlayheadTimeAsDate();
    }
    if (date)
      s.wall = round((Date.now() - date.getTime()) / 1000);
    r.samples.push(s);
  }

  // Samples every 500 ms from the first frame on.
  function startSampling(ms) {
    if (timer !== null)
      return;
    r.startMs = ms();
    r.startPos = round(video.currentTime);
    timer = setInterval(function () { sample(ms()); }, 500);
  }

  window.svLive = {
    hlsConfig: hlsConfig,
    attachHls: attachHls,
    shakaConfig: shakaConfig,
    attachShaka: attachShaka,
    startSampling: startSampling,
    report: function () { return r; },
  };
})();
