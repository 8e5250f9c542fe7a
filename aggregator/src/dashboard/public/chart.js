// Health over time as SVG: a band per boolean (online, recording: green when true, red when
// false) and a line for a number (fps). No charting library needed for this much.
import { h } from './dom.js';

const PAD_L = 90;
const PAD_R = 10;

/**
 * samples: [{at, online, recording, fps?}] in any order; returns an <svg> element `width` units
 * wide (pass the container's pixel width so the labels keep their size on a phone and a wall screen).
 */
export function healthChart(samples, labels, lang, width = 720) {
  const W = Math.max(320, Math.round(width));
  const rows = samples
    .map((s) => ({ ...s, t: new Date(s.at ?? s.sampledAt).getTime() }))
    .filter((s) => Number.isFinite(s.t))
    .sort((a, b) => a.t - b.t);
  const t0 = rows[0].t;
  // The last sample holds until the next would be due: extend by the typical interval.
  const gaps = rows.slice(1).map((r, i) => r.t - rows[i].t).sort((a, b) => a - b);
  const step = gaps.length ? gaps[Math.floor(gaps.length / 2)] : 60_000;
  const t1 = rows[rows.length - 1].t + step;
  const x = (t) => PAD_L + ((t - t0) / (t1 - t0)) * (W - PAD_L - PAD_R);
  const hasFps = rows.some((r) => typeof r.fps === 'number');
  const height = hasFps ? 170 : 90;
  const svg = h('svg:svg', { class: 'chart', viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-label': labels.title });

  const band = (key, label, y) => {
    svg.append(h('svg:text', { x: 0, y: y + 13 }, label));
    rows.forEach((r, i) => {
      const next = rows[i + 1]?.t ?? t1;
      const x0 = x(r.t);
      const w = Math.max(x(next) - x0, 1.5);
      svg.append(h('svg:rect', { x: x0, y, width: w, height: 18, class: r[key] ? 'band-on' : 'band-off' }, h('svg:title', {}, `${new Date(r.t).toLocaleString(lang)}: ${r[key] ? '✓' : '✗'}`)));
    });
  };
  band('online', labels.online, 8);
  band('recording', labels.recording, 34);

  if (hasFps) {
    const top = 66;
    const bottom = height - 22;
    const max = Math.max(1, ...rows.map((r) => r.fps ?? 0));
    const y = (v) => bottom - (v / max) * (bottom - top);
    svg.append(h('svg:text', { x: 0, y: top + 12 }, `${labels.fps} (max ${Math.round(max)})`));
    svg.append(h('svg:line', { class: 'axis', x1: PAD_L, x2: W - PAD_R, y1: bottom, y2: bottom }));
    const pts = rows.filter((r) => typeof r.fps === 'number').map((r) => `${x(r.t).toFixed(1)},${y(r.fps).toFixed(1)}`);
    svg.append(h('svg:polyline', { class: 'line', points: pts.join(' ') }));
  }
  const fmt = (t) => new Date(t).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
  svg.append(h('svg:text', { x: PAD_L, y: height - 4 }, fmt(t0)));
  svg.append(h('svg:text', { x: W - PAD_R, y: height - 4, 'text-anchor': 'end' }, fmt(t1)));
  return svg;
}
