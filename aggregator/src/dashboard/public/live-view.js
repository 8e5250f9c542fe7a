// Live view of one camera: fragmented MP4 from GET <camera>/live (chunked HTTP, with the bearer
// token and the stated purpose in headers, never in the URL), played with Media Source
// Extensions. The stream starts with the init segment (ftyp + moov), from which the codec is
// read, then keyframe-aligned fragments. A viewer that joins late starts at a later decode time:
// the player jumps to what is buffered, keeps near the live edge, and trims what it has played
// so the page's memory stays bounded. Strings in Vietnamese and English, like the rest.
import { h, clear } from './dom.js';
import { currentLang } from './i18n.js';
import { authHeaders, purposeHeaders } from './api.js';

const STRINGS = {
  vi: {
    idle: 'Chưa xem', title: 'Xem trực tiếp', start: 'Xem trực tiếp', stop: 'Dừng', connecting: 'Đang kết nối tới camera…', playing: 'Đang phát trực tiếp',
    'site-offline': 'Điểm lắp đặt đang mất kết nối', 'camera-offline': 'Camera đang mất kết nối', forbidden: 'Bạn không có quyền xem camera này',
    'purpose-required': 'Hãy chọn mục đích trước khi xem', ended: 'Phiên xem đã kết thúc', 'no-mse': 'Trình duyệt không hỗ trợ Media Source Extensions',
    'too-many-viewers': 'Camera có quá nhiều người xem', error: 'Không xem được: {msg}',
  },
  en: {
    idle: 'Not watching', title: 'Live view', start: 'Watch live', stop: 'Stop', connecting: 'Connecting to the camera…', playing: 'Live',
    'site-offline': 'The site is offline', 'camera-offline': 'The camera is offline', forbidden: 'You have no permission to view this camera',
    'purpose-required': 'Choose a purpose before watching', ended: 'The live session ended', 'no-mse': 'This browser lacks Media Source Extensions',
    'too-many-viewers': 'The camera has too many viewers', error: 'Cannot play: {msg}',
  },
};
const s = (key, msg = '') => (STRINGS[currentLang()] ?? STRINGS.en)[key]?.replace('{msg}', msg) ?? key;

/** The codec string of the init segment's first video track (avc1 from avcC; hvc1 generic). */
export function codecOf(init) {
  const find = (tag) => {
    for (let i = 4; i + 4 <= init.length; i++) if (init[i] === tag.charCodeAt(0) && init[i + 1] === tag.charCodeAt(1) && init[i + 2] === tag.charCodeAt(2) && init[i + 3] === tag.charCodeAt(3)) return i;
    return -1;
  };
  const avcC = find('avcC');
  if (avcC >= 0) {
    const hex = (b) => b.toString(16).padStart(2, '0').toUpperCase();
    return `avc1.${hex(init[avcC + 5])}${hex(init[avcC + 6])}${hex(init[avcC + 7])}`;
  }
  if (find('hvcC') >= 0) return 'hvc1.1.6.L93.B0';
  return 'avc1.42E01E';
}

/** Length of the init segment (ftyp + moov) when `buf` holds all of it, else 0. */
function initLength(buf) {
  let off = 0;
  while (off + 8 <= buf.length) {
    const size = ((buf[off] << 24) >>> 0) + (buf[off + 1] << 16) + (buf[off + 2] << 8) + buf[off + 3];
    const type = String.fromCharCode(buf[off + 4], buf[off + 5], buf[off + 6], buf[off + 7]);
    if (size < 8 || off + size > buf.length) return 0;
    off += size;
    if (type === 'moov') return off;
  }
  return 0;
}

/**
 * The live panel: a video element, a state line and a start/stop button. `purposeOf()` gives
 * the purpose the user stated on the page; `poster` an optional image URL.
 */
export function livePanel(cameraPath, purposeOf) {
  const video = h('video', { id: 'live-video', muted: true, autoplay: true, playsInline: true, controls: true, class: 'live-video' });
  video.muted = true;
  const state = h('p', { class: 'notice', id: 'live-state', dataset: { state: 'idle' } });
  const button = h('button', { type: 'button', id: 'live-toggle' }, s('start'));
  let running;
  // The user wants the picture: an upstream that ends (site offline, agent restarted) or a camera
  // that is offline is tried again every few seconds, and the state line says why meanwhile.
  let wanted = false;
  let retryTimer;
  const retryLater = () => {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      if (wanted && !running) void start();
    }, 4000);
  };

  const show = (key, msg) => {
    state.dataset.state = key;
    clear(state).append(s(key, msg));
  };

  async function start() {
    if (!window.MediaSource) return show('no-mse');
    const purpose = purposeOf();
    if (!purpose) return show('purpose-required');
    wanted = true;
    const ctl = new AbortController();
    running = ctl;
    clear(button).append(s('stop'));
    show('connecting');
    let res;
    try {
      res = await fetch(`${cameraPath}/live`, { headers: { ...authHeaders(), ...purposeHeaders(purpose) }, signal: ctl.signal, cache: 'no-store' });
    } catch (err) {
      if (ctl.signal.aborted) return;
      running = undefined;
      show('error', err.message);
      retryLater();
      return;
    }
    if (!res.ok) {
      let code = 'error';
      try {
        code = (await res.json()).error?.code ?? 'error';
      } catch {}
      running = undefined;
      if (res.status === 503) retryLater();
      else {
        wanted = false;
        clear(button).append(s('start'));
      }
      return show(res.status === 403 ? 'forbidden' : STRINGS.en[code] ? code : 'error', code);
    }
    const ms = new MediaSource();
    const url = URL.createObjectURL(ms);
    video.src = url;
    await new Promise((r) => ms.addEventListener('sourceopen', r, { once: true }));
    URL.revokeObjectURL(url);
    const reader = res.body.getReader();
    ctl.signal.addEventListener('abort', () => reader.cancel().catch(() => {}));
    let pending = new Uint8Array(0);
    let sb;
    const queue = [];
    const pump = () => {
      if (!sb || sb.updating || !queue.length || ms.readyState !== 'open') return;
      sb.appendBuffer(queue.shift());
    };
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (!sb) {
          const joined = new Uint8Array(pending.length + value.length);
          joined.set(pending);
          joined.set(value, pending.length);
          pending = joined;
          if (!initLength(pending)) continue;
          sb = ms.addSourceBuffer(`video/mp4; codecs="${codecOf(pending)}"`);
          sb.mode = 'segments';
          sb.addEventListener('updateend', () => {
            const b = sb.buffered;
            if (b.length) {
              const end = b.end(b.length - 1);
              // Late joiners start at a later decode time; a stalled tab falls behind: go to the live edge.
              if (video.currentTime < b.start(0) || end - video.currentTime > 4) video.currentTime = Math.max(b.start(b.length - 1), end - 1);
              // Keep about 30 s behind the playhead, no more.
              if (!sb.updating && video.currentTime - b.start(0) > 60) sb.remove(b.start(0), video.currentTime - 30);
            }
            pump();
          });
          queue.push(pending);
          pending = new Uint8Array(0);
        } else queue.push(value);
        pump();
        if (state.dataset.state === 'connecting' && video.readyState >= 2) show('playing');
        if (queue.length > 200) queue.splice(0, queue.length - 50); // the tab is too slow: drop, then resync at the edge
        video.play().catch(() => {});
      }
      if (!ctl.signal.aborted) show('ended');
    } catch (err) {
      if (!ctl.signal.aborted) show('error', err.message);
    } finally {
      if (running === ctl) {
        running = undefined;
        retryLater();
      }
    }
  }

  function stop(clearState = true) {
    wanted = false;
    clearTimeout(retryTimer);
    running?.abort();
    running = undefined;
    clear(button).append(s('start'));
    if (clearState) show('idle');
  }

  video.addEventListener('playing', () => show('playing'));
  button.addEventListener('click', () => (running ? stop() : void start()));
  const panel = h('div', { class: 'card live-panel' }, video, h('div', { class: 'live-bar' }, button, state));
  return { element: panel, start, stop, title: s('title') };
}
