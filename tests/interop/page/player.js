// Glue between tests/interop/browser_play.js (Node, through playwright-core)
// and one of three third-party players in the page: Shaka Player, hls.js or
// dash.js. The Node side calls window.svInterop.start(options) once and then
// polls window.svInterop.status() until the video has ended, an error was
// recorded or its own timeout runs out. Everything a test asserts on (errors,
// times, played ranges, frame counts) is read here from the video element and
// the players' own error events, never inferred.
'use strict';

(function () {
  const LIBS = {
    shaka: 'lib/shaka-player.compiled.js',
    hlsjs: 'lib/hls.min.js',
    dashjs: 'lib/dash.all.min.js',
  };
  const MAX_EVENTS = 300;
  const video = document.getElementById('video');
  const t0 = performance.now();
  const st = {
    phase: 'idle',      // idle -> loading -> playing -> ended | failed
    player: null,
    live: false,        // --live: low-latency settings and latency samples (live.js)
    version: null,
    errors: [],
    warnings: [],       // errors the player reported as recovered (non-fatal)
    events: [],
    rebuffers: 0,
    firstFrameMs: null,
    videoCodecs: [],          // Shaka: codecs of the variants played
    manifestVideoCodecs: [],  // Shaka: codecs of the variants it kept after load
    trickModes: [],     // Shaka: trick-play streams (noteShakaExtras)
    imageTracks: [],    // Shaka: thumbnail tracks
    thumbnails: [],     // Shaka: getThumbnails answers
    timeline: [],             // Shaka: timed metadata it found (timelineregionadded,
                              // metadataadded), as it reports them
    interstitials: [],        // hls.js: its interstitial events, in order (noteHlsInterstitials)
    inBreak: false,           // hls.js: from an interstitial's start to the primary's resumption
    trick: null,              // Shaka with o.trick: its trick play (noteShakaTrick)
    textTracks: [],           // Shaka: its text tracks after load (getTextTracks)
    textCues: [],             // Shaka with o.textTrack: the cues shown (noteShakaText)
  };

  function ms() {
    return Math.round(performance.now() - t0);
  }

  function note(type, extra) {
    if (st.events.length < MAX_EVENTS)
      st.events.push(Object.assign({ t: ms(), type: type, pos: video.currentTime }, extra));
  }

  // Error details from players can hold typed arrays and cycles; keep what
  // JSON can carry, so the Node side always gets a readable summary.
  function plain(value) {
    const seen = new WeakSet();
    try {
      return JSON.parse(JSON.stringify(value, function (k, v) {
        if (v instanceof ArrayBuffer || ArrayBuffer.isView(v))
          return '<' + v.byteLength + ' bytes>';
        if (typeof v === 'object' && v !== null) {
          if (v instanceof Node || v instanceof Window)
            return '<' + (v.nodeName || 'window') + '>';
          if (seen.has(v))
            return '<cycle>';
          seen.add(v);
        }
        return v;
      }) || 'null');
    } catch (e) {
      return String(value);
    }
  }

  function fail(source, detail) {
    st.errors.push(Object.assign({ t: ms(), source: source }, plain(detail)));
    note('error', { source: source });
    st.phase = 'failed';
  }

  ['loadedmetadata', 'canplay', 'playing', 'pause', 'seeking', 'seeked', 'stalled',
   'ratechange'].forEach(function (name) {
    video.addEventListener(name, function () { note(name); });
  });
  video.addEventListener('waiting', function () {
    note('waiting');
    if (st.firstFrameMs !== null)
      st.rebuffers++;
  });
  video.addEventListener('playing', function () {
    if (st.firstFrameMs === null) {
      st.firstFrameMs = ms();
      if (st.live)
        window.svLive.startSampling(ms);
    }
  });
  video.addEventListener('ended', function () {
    // hls.js plays an interstitial's asset on the same element: its end is
    // not the presentation's (the primary content resumes after it).
    if (st.inBreak) {
      note('break-asset-ended');
      return;
    }
    note('ended');
    if (st.phase !== 'failed')
      st.phase = 'ended';
  });
  video.addEventListener('error', function () {
    const e = video.error;
    fail('video', { code: e ? e.code : 0, message: e ? e.message : 'unknown media error' });
  });
  window.addEventListener('unhandledrejection', function (ev) {
    fail('page', { message: 'unhandled rejection: ' + String(ev.reason && ev.reason.message || ev.reason) });
  });

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      const s = document.createElement('script');
      s.src = src;
      s.onload = resolve;
      s.onerror = function () { reject(new Error('cannot load ' + src)); };
      document.head.appendChild(s);
    });
  }

  function hexToB64url(hex) {
    let bin = '';
    for (let i = 0; i < hex.length; i += 2)
      bin += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  // o.trick {rate, at, for}: trickPlay(rate) once the position reaches `at`,
  // cancelTrickPlay() `for` seconds later; the segment requests (URI and
  // Range) are recorded, marked with whether trick play was on.
  function noteShakaTrick(player, shaka, o) {
    const SEGMENT = shaka.net.NetworkingEngine.RequestType.SEGMENT;
    const t = st.trick = { phase: 'waiting', rate: o.trick.rate, requests: [] };
    player.getNetworkingEngine().registerRequestFilter(function (type, req) {
      if (type === SEGMENT && t.requests.length < MAX_EVENTS)
        t.requests.push({ t: ms(), uri: req.uris[0], during: t.phase === 'on',
                          range: req.headers.Range || req.headers.range || null });
    });
    const timer = setInterval(function () {
      if (t.phase === 'waiting' && video.currentTime >= o.trick.at) {
        t.phase = 'on';
        t.startPos = video.currentTime;
        t.startMs = ms();
        player.trickPlay(o.trick.rate);
      } else if (t.phase === 'on' && ms() - t.startMs >= o.trick.for * 1000) {
        t.endPos = video.currentTime;
        t.endMs = ms();
        t.phase = 'done';
        player.cancelTrickPlay();
        clearInterval(timer);
      }
    }, 50);
  }

  // o.textTrack: selects Shaka's text track of that originalTextId ('svc1':
  // CEA-708 service 1) and shows it; every cue its text displayer puts on
  // the video element's showing text track is recorded once (start, end,
  // text), polled until the end as cues come with the segments.
  function noteShakaText(player, o) {
    st.textTracks = player.getTextTracks().map(function (t) {
      return { id: t.originalTextId, kind: t.kind, language: t.language, mimeType: t.mimeType };
    });
    if (!o.textTrack)
      return;
    const track = player.getTextTracks().filter(function (t) {
      return t.originalTextId === o.textTrack;
    })[0];
    if (!track) {
      fail('shaka', { message: 'no text track ' + o.textTrack });
      return;
    }
    player.selectTextTrack(track); /* Shaka 5: also makes it visible */
    const seen = {};
    const poll = function () {
      for (let i = 0; i < video.textTracks.length; i++) {
        const tt = video.textTracks[i];
        if (tt.mode !== 'showing' || !tt.cues)
          continue;
        for (let k = 0; k < tt.cues.length; k++) {
          const c = tt.cues[k];
          const key = c.startTime + '|' + c.endTime + '|' + c.text;
          if (!seen[key] && st.textCues.length < MAX_EVENTS) {
            seen[key] = true;
            st.textCues.push({ start: c.startTime, end: c.endTime, text: c.text });
          }
        }
      }
    };
    setInterval(poll, 100);
    video.addEventListener('ended', poll);
  }

  async function startShaka(o) {
    const shaka = window.shaka;
    shaka.polyfill.installAll();
    if (!shaka.Player.isBrowserSupported())
      throw new Error('Shaka Player says this browser is not supported');
    const player = new shaka.Player();
    await player.attach(video);
    player.addEventListener('error', function (ev) {
      const d = ev.detail || {};
      fail('shaka', { code: d.code, category: d.category, severity: d.severity, data: d.data });
    });
    const drm = {};
    if (o.clearkeys)
      drm.clearKeys = o.clearkeys;
    if (o.licenseUrl)
      drm.servers = { 'org.w3.clearkey': o.licenseUrl };
    let cfg = { drm: drm };
    if (o.live)
      cfg = window.svLive.shakaConfig(cfg);
    // --prefer-codec: Shaka chooses the codec family at load time from
    // preferredVideo (Shaka 5's successor of preferredVideoCodecs).
    if (o.preferCodec)
      cfg.preferredVideo = [{ codec: o.preferCodec }];
    // --text-language: the text track chosen at load (before its first
    // segment is read, so its in-band captions are all decoded).
    if (o.textLanguage)
      cfg.preferredText = [{ language: o.textLanguage, role: '', format: '', forced: false }];
    // Trick play must fetch: with the default 10 s goal a short title is
    // all buffered before it starts, and Shaka plays what it has.
    if (o.trick)
      cfg.streaming = { bufferingGoal: 2, rebufferingGoal: 0.5, bufferBehind: 2 };
    player.configure(cfg);
    if (o.licenseHeaders) {
      const LICENSE = shaka.net.NetworkingEngine.RequestType.LICENSE;
      player.getNetworkingEngine().registerRequestFilter(function (type, req) {
        if (type === LICENSE)
          Object.assign(req.headers, o.licenseHeaders);
      });
    }
    // Timed metadata, registered before the load that finds it: DASH
    // EventStream regions, HLS EXT-X-DATERANGE metadata.
    player.addEventListener('timelineregionadded', function (ev) {
      const d = ev.detail || {};
      if (st.timeline.length < MAX_EVENTS)
        st.timeline.push({ kind: 'region', scheme: d.schemeIdUri || '', value: d.value || '',
                           id: String(d.id || ''), start: d.startTime, end: d.endTime });
    });
    player.addEventListener('metadataadded', function (ev) {
      const d = ev.detail || {};
      const values = (d.values || []).map(function (v) { return { key: v.key, data: String(v.data) }; });
      const idv = values.filter(function (v) { return v.key === 'ID'; })[0];
      if (st.timeline.length < MAX_EVENTS)
        st.timeline.push({ kind: 'metadata', scheme: d.type || '', id: idv ? idv.data : '',
                           start: d.startTime, end: d.endTime, values: values });
    });
    if (o.trick)
      noteShakaTrick(player, shaka, o);
    st.version = shaka.Player.version;
    window.svPlayer = player;
    if (o.live)
      window.svLive.attachShaka(player, shaka);
    await player.load(o.url);
    noteShakaText(player, o);
    await noteShakaExtras(player);
    st.manifestVideoCodecs = uniq(player.getVariantTracks().map(function (t) { return t.videoCodec; }));
    noteShakaVariant();
    player.addEventListener('variantchanged', noteShakaVariant);
    player.addEventListener('adaptation', noteShakaVariant);
  }

  // What Shaka made of the trick-play tracks (DASH trick-mode sets, HLS
  // I-frame playlists: a variant's video.trickModeVideo, with its first
  // segment's byte range) and of the thumbnail tiles (getImageTracks,
  // getThumbnails at 1, 5 and 9 s), for the summary.
  async function noteShakaExtras(player) {
    const m = player.getManifest();
    const seen = {};
    for (const v of (m ? m.variants : [])) {
      const t = v.video && v.video.trickModeVideo;
      if (!t || seen[t.id])
        continue;
      seen[t.id] = true;
      const e = { codecs: t.codecs, width: t.width, height: t.height, isIframe: !!t.isIframe };
      try {
        await t.createSegmentIndex();
        const ref = t.segmentIndex && t.segmentIndex.get(t.segmentIndex.find(0));
        if (ref)
          e.first = { startTime: ref.startTime, endTime: ref.endTime, startByte: ref.startByte,
                      endByte: ref.endByte, uri: ref.getUris()[0] };
      } catch (err) {
        e.error = String(err && (err.message || err.code) || err);
      }
      st.trickModes.push(e);
    }
    for (const tr of player.getImageTracks()) {
      st.imageTracks.push({ width: tr.width, height: tr.height, tilesLayout: tr.tilesLayout,
                            mimeType: tr.mimeType });
      for (const time of [1, 5, 9]) {
        const th = await player.getThumbnails(tr.id, time);
        st.thumbnails.push(th ? { time: time, startTime: th.startTime, duration: th.duration,
                                  width: th.width, height: th.height, positionX: th.positionX,
                                  positionY: th.positionY, uri: th.uris[0] }
                              : { time: time, none: true });
      }
    }
  }

  function uniq(list) {
    return list.filter(function (v, i) { return v && list.indexOf(v) === i; });
  }

  // Every video codec string Shaka played a variant of, in order of first use.
  function noteShakaVariant() {
    const active = window.svPlayer.getVariantTracks().filter(function (t) { return t.active; })[0];
    if (active && active.videoCodec && st.videoCodecs.indexOf(active.videoCodec) < 0)
      st.videoCodecs.push(active.videoCodec);
  }

  // hls.js's HLS interstitials: each step of a break as it plays it, with
  // the primary content's playhead (hls.interstitialsManager) at that step.
  function noteHlsInterstitials(hls, Hls) {
    const E = Hls.Events;
    if (!E.INTERSTITIAL_STARTED)
      return;
    function primary() {
      const m = hls.interstitialsManager;
      return m && m.primary ? m.primary.currentTime : null;
    }
    function push(kind, d, extra) {
      const ev = d && d.event;
      if (st.interstitials.length < MAX_EVENTS)
        st.interstitials.push(Object.assign({
          t: ms(), kind: kind, primary: primary(),
          id: ev ? ev.identifier : null,
          start: ev ? ev.startTime : null,
          duration: ev ? ev.duration : null,
          resume: ev ? ev.resumeTime : null,
          assetUrl: ev ? ev.assetUrl || null : null,
        }, extra || {}));
    }
    hls.on(E.INTERSTITIAL_STARTED, function (e, d) {
      st.inBreak = true;
      push('started', d);
    });
    hls.on(E.INTERSTITIAL_ASSET_STARTED, function (e, d) {
      push('asset-started', d, { uri: d.asset ? d.asset.uri : null });
    });
    hls.on(E.INTERSTITIAL_ASSET_ENDED, function (e, d) { push('asset-ended', d); });
    hls.on(E.INTERSTITIAL_ASSET_ERROR, function (e, d) {
      push('asset-error', d, { error: d.error ? String(d.error.message || d.error) : null });
    });
    hls.on(E.INTERSTITIAL_ENDED, function (e, d) { push('ended', d); });
    hls.on(E.INTERSTITIALS_PRIMARY_RESUMED, function (e, d) {
      st.inBreak = false;
      push('primary-resumed', null);
    });
  }

  function startHls(o) {
    const Hls = window.Hls;
    if (!Hls.isSupported())
      throw new Error('hls.js says MediaSource is not supported');
    let cfg = { debug: false };
    if (o.live)
      cfg = window.svLive.hlsConfig(cfg);
    if (o.clearkeys)
      throw new Error('hls.js takes ClearKey keys from a license server only: use --license-url');
    if (o.licenseUrl) {
      cfg.emeEnabled = true;
      cfg.drmSystems = { 'org.w3.clearkey': { licenseUrl: o.licenseUrl } };
      if (o.licenseHeaders) {
        // hls.js opens the request itself only when the setup did not.
        cfg.licenseXhrSetup = function (xhr, url) {
          xhr.open('POST', url, true);
          Object.keys(o.licenseHeaders).forEach(function (k) {
            xhr.setRequestHeader(k, o.licenseHeaders[k]);
          });
        };
      }
    }
    const hls = new Hls(cfg);
    // hls.js reports what it recovers from itself (a start gap skipped with
    // bufferSeekOverHole, a stall nudged) as non-fatal errors: recorded as
    // warnings, while playing to the end stays the test's condition.
    hls.on(Hls.Events.ERROR, function (ev, data) {
      const detail = { type: data.type, details: data.details, fatal: data.fatal,
                       url: data.url || (data.frag && data.frag.url) || null,
                       response: data.response, reason: data.reason,
                       message: data.error && data.error.message };
      if (data.fatal) {
        fail('hlsjs', detail);
      } else if (st.warnings.length < MAX_EVENTS) {
        st.warnings.push(Object.assign({ t: ms(), source: 'hlsjs' }, plain(detail)));
        note('warning', { source: 'hlsjs', details: data.details });
      }
    });
    noteHlsInterstitials(hls, Hls);
    st.version = Hls.version;
    window.svPlayer = hls;
    if (o.live)
      window.svLive.attachHls(hls, Hls);
    hls.attachMedia(video);
    hls.loadSource(o.url);
  }

  function startDash(o) {
    const dashjs = window.dashjs;
    const player = dashjs.MediaPlayer().create();
    player.updateSettings({ debug: { logLevel: dashjs.Debug.LOG_LEVEL_WARNING } });
    const events = dashjs.MediaPlayer.events;
    [events.ERROR, events.PLAYBACK_ERROR].forEach(function (name) {
      player.on(name, function (e) {
        const err = e.error || {};
        fail('dashjs', { event: name, code: err.code, message: err.message || e.message,
                         data: err.data });
      });
    });
    if (o.clearkeys || o.licenseUrl) {
      const ck = {};
      if (o.clearkeys) {
        ck.clearkeys = {};
        Object.keys(o.clearkeys).forEach(function (kid) {
          ck.clearkeys[hexToB64url(kid)] = hexToB64url(o.clearkeys[kid]);
        });
      }
      if (o.licenseUrl)
        ck.serverURL = o.licenseUrl;
      if (o.licenseHeaders)
        ck.httpRequestHeaders = o.licenseHeaders;
      player.setProtectionData({ 'org.w3.clearkey': ck });
    }
    st.version = player.getVersion();
    window.svPlayer = player;
    player.initialize(video, o.url, false);
  }

  // Applies the rate once the player has attached its media source. Players
  // set the rate back to 1 while loading, so this runs on loadedmetadata.
  function applyRate(rate) {
    if (!(rate > 0) || rate === 1)
      return;
    const set = function () {
      if (st.player === 'dashjs' && window.svPlayer.setPlaybackRate)
        window.svPlayer.setPlaybackRate(rate);
      else
        video.playbackRate = rate;
    };
    if (video.readyState >= 1)
      set();
    else
      video.addEventListener('loadedmetadata', set, { once: true });
  }

  async function start(o) {
    if (st.phase !== 'idle')
      throw new Error('svInterop.start called twice');
    if (!LIBS[o.player])
      throw new Error('unknown player ' + o.player);
    st.player = o.player;
    st.live = !!o.live;
    if (st.live && o.player === 'dashjs')
      throw new Error('live mode is for shaka and hlsjs');
    st.phase = 'loading';
    note('start', { url: o.url });
    try {
      await loadScript(LIBS[o.player]);
      video.muted = true;
      applyRate(o.rate);
      if (o.player === 'shaka')
        await startShaka(o);
      else if (o.player === 'hlsjs')
        startHls(o);
      else
        startDash(o);
      if (st.phase === 'loading')
        st.phase = 'playing';
      await video.play();
    } catch (e) {
      fail('start', { message: String(e && (e.message || e.code) || e), code: e && e.code,
                      data: e && e.data });
    }
  }

  function status() {
    const ranges = [];
    for (let i = 0; i < video.played.length; i++)
      ranges.push([video.played.start(i), video.played.end(i)]);
    const buffered = [];
    for (let i = 0; i < video.buffered.length; i++)
      buffered.push([video.buffered.start(i), video.buffered.end(i)]);
    const q = video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : null;
    return {
      phase: st.phase,
      player: st.player,
      version: st.version,
      ended: video.ended && !st.inBreak,
      duration: video.duration,
      currentTime: video.currentTime,
      playbackRate: video.playbackRate,
      readyState: video.readyState,
      videoWidth: video.videoWidth,
      videoHeight: video.videoHeight,
      played: ranges,
      buffered: buffered,
      totalVideoFrames: q ? q.totalVideoFrames : null,
      droppedVideoFrames: q ? q.droppedVideoFrames : null,
      // Chromium's own counters: frames out of the decoder, and dropped.
      decodedFrames: 'webkitDecodedFrameCount' in video ? video.webkitDecodedFrameCount : null,
      audioDecodedBytes: 'webkitAudioDecodedByteCount' in video ? video.webkitAudioDecodedByteCount : null,
      firstFrameMs: st.firstFrameMs,
      rebuffers: st.rebuffers,
      videoCodecs: st.videoCodecs,
      manifestVideoCodecs: st.manifestVideoCodecs,
      timeline: st.timeline,
      interstitials: st.interstitials,
      trick: st.trick,
      textTracks: st.textTracks,
      textCues: st.textCues,
      live: st.live ? window.svLive.report() : null,
      trickModes: st.trickModes,
      imageTracks: st.imageTracks,
      thumbnails: st.thumbnails,
      errors: st.errors,
      warnings: st.warnings,
      events: st.events,
      elapsedMs: ms(),
    };
  }

  window.svInterop = { start: start, status: status };
})();
