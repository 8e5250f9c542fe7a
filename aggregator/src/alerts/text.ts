/**
 * Alerts and events as sentences an operator reads, in Vietnamese and English, instead of their raw
 * detail fields (issue 15: "eventId: …, measure: 0.722, raisedEventId: …"). Pure functions of the
 * stored detail; the engine stores the result in the alert's detail as `text: { vi, en }` and the
 * events API returns it beside each event, so the dashboard and any other client show the same words.
 */
export interface Sentence {
  vi: string;
  en: string;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const pct = (v: number) => `${Math.round(v * 100)} %`;

/** COCO class names the city cares about, in Vietnamese; others stay as the English name. */
const CLASS_VI: Record<string, string> = {
  person: 'người', bicycle: 'xe đạp', car: 'ô tô', motorcycle: 'xe máy', bus: 'xe buýt', truck: 'xe tải',
};
const CLASS_EN: Record<string, string> = { person: 'person', bicycle: 'bicycle', car: 'car', motorcycle: 'motorbike', bus: 'bus', truck: 'truck' };

function tamperSentence(d: Record<string, unknown>): Sentence {
  const kind = str(d.tamper);
  const cleared = d.state === 'cleared';
  const measure = num(d.measure);
  switch (kind) {
    case 'covered':
      return cleared
        ? { vi: 'Ống kính không còn bị che: camera đã nhìn thấy lại.', en: 'The lens is no longer covered: the camera can see again.' }
        : { vi: 'Ống kính camera bị che hoặc hình bị tối đen.', en: 'The camera lens is covered or the picture has gone black.' };
    case 'defocused':
      return cleared
        ? { vi: 'Hình ảnh camera đã nét trở lại.', en: 'The camera picture is sharp again.' }
        : {
            vi: `Hình ảnh camera bị mờ (độ nét còn ${measure !== undefined ? pct(measure) : 'thấp'} so với bình thường): ống kính có thể bị xoay, bẩn hoặc đọng hơi nước.`,
            en: `The camera picture is blurred (${measure !== undefined ? pct(measure) : 'low'} of its usual sharpness): the lens may have been turned, smeared or fogged.`,
          };
    case 'moved':
      return cleared
        ? { vi: 'Camera đã đứng yên ở góc nhìn mới; góc nhìn này được dùng làm chuẩn.', en: 'The camera has settled on a new view, now taken as its reference.' }
        : {
            vi: `Camera đã bị xoay hoặc dịch chuyển: ${measure !== undefined ? pct(measure) : 'phần lớn'} khung hình không còn khớp với góc nhìn trước.`,
            en: `The camera was turned or moved: ${measure !== undefined ? pct(measure) : 'most'} of the picture no longer matches its previous view.`,
          };
    default:
      return { vi: 'Camera có dấu hiệu bị can thiệp.', en: 'The camera shows signs of tampering.' };
  }
}

/** One event (object, tamper, sound, camera and recording events) as a sentence. */
export function eventSentence(kind: string, data: Record<string, unknown> = {}): Sentence {
  switch (kind) {
    case 'object': {
      // `class` is what agents send; `label` is read too so other senders' events still read well.
      const cls = str(data.class) ?? str(data.label) ?? 'object';
      const score = num(data.score);
      const zone = str(data.zone);
      const s = score !== undefined ? ` (${Math.round(score * 100)} %)` : '';
      return {
        vi: `Phát hiện ${CLASS_VI[cls] ?? cls}${s}${zone ? ` trong vùng ${zone}` : ''}.`,
        en: `A ${CLASS_EN[cls] ?? cls} was detected${s}${zone ? ` in zone ${zone}` : ''}.`,
      };
    }
    case 'tamper':
      return tamperSentence(data);
    case 'sound': {
      const peak = num(data.peakDbfs);
      const bg = num(data.backgroundDbfs);
      const level = peak !== undefined ? ` (${Math.round(peak)} dBFS${bg !== undefined ? `, nền ${Math.round(bg)} dBFS` : ''})` : '';
      const levelEn = peak !== undefined ? ` (${Math.round(peak)} dBFS${bg !== undefined ? ` over ${Math.round(bg)} dBFS background` : ''})` : '';
      return { vi: `Tiếng động lớn bất thường, có thể là tiếng nổ${level}.`, en: `A sudden loud sound, possibly an explosion or a bang${levelEn}.` };
    }
    case 'camera.offline':
      return { vi: 'Camera mất kết nối.', en: 'The camera went offline.' };
    case 'camera.online':
      return { vi: 'Camera đã kết nối lại.', en: 'The camera is back online.' };
    case 'recording.gap': {
      const cause = str(data.cause);
      return { vi: `Ghi hình bị gián đoạn${cause ? ` (${cause})` : ''}.`, en: `Recording was interrupted${cause ? ` (${cause})` : ''}.` };
    }
    case 'retention.loss':
      return { vi: 'Một phần bản ghi đã bị xoá trước hạn lưu trữ.', en: 'Some footage was deleted before the end of its retention period.' };
    case 'disk.full':
      return { vi: 'Ổ đĩa của trạm đã đầy.', en: 'The site box’s disk is full.' };
    default:
      return { vi: `Sự kiện ${kind}.`, en: `Event ${kind}.` };
  }
}

/** One alert as a sentence, from its kind and stored detail. */
export function alertSentence(kind: string, detail: Record<string, unknown> = {}): Sentence {
  const problem = str(detail.problem);
  switch (kind) {
    case 'camera_offline':
      return problem === 'agent offline'
        ? { vi: 'Camera không liên lạc được vì trạm (agent) của nó mất kết nối.', en: 'The camera cannot be reached because its site agent is offline.' }
        : { vi: `Camera mất kết nối${problem ? `: ${problem}` : ''}.`, en: `The camera is offline${problem ? `: ${problem}` : ''}.` };
    case 'not_recording':
      return { vi: `Camera đang trực tuyến nhưng không ghi hình${problem ? `: ${problem}` : ''}.`, en: `The camera is online but not recording${problem ? `: ${problem}` : ''}.` };
    case 'recording_gap': {
      const gaps = num(detail.gapsLastHour);
      return gaps !== undefined
        ? { vi: `Có ${gaps} lần gián đoạn ghi hình trong giờ qua.`, en: `Recording was interrupted ${gaps} time${gaps === 1 ? '' : 's'} in the last hour.` }
        : eventSentence('recording.gap', detail);
    }
    case 'disk_low': {
      const free = num(detail.freeRatio);
      return free !== undefined
        ? { vi: `Ổ đĩa của trạm sắp đầy: chỉ còn ${pct(free)} dung lượng trống.`, en: `The site box’s disk is nearly full: only ${pct(free)} free.` }
        : eventSentence('disk.full', detail);
    }
    case 'clock_skew': {
      const ms = num(detail.clockOffsetMs);
      const s = ms !== undefined ? (Math.abs(ms) / 1000).toFixed(1) : '?';
      return { vi: `Đồng hồ lệch ${s} giây so với giờ chuẩn; thời gian trên bản ghi có thể sai.`, en: `The clock is ${s} s off; timestamps on the footage may be wrong.` };
    }
    case 'tamper':
      return tamperSentence(detail);
    case 'non_conformant': {
      const failed = Array.isArray(detail.failed) ? detail.failed.filter((f): f is string => typeof f === 'string') : [];
      const list = failed.length ? `: ${failed.join(', ')}` : '';
      return { vi: `Camera không đạt tiêu chuẩn kỹ thuật của thành phố${list}.`, en: `The camera does not meet the city's technical standard${list}.` };
    }
    default:
      return { vi: `Cảnh báo ${kind}.`, en: `Alert ${kind}.` };
  }
}
