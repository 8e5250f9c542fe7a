/**
 * The recording command line. Segments are fragmented MP4 (moov up front, then one fragment
 * per keyframe): a file cut off by kill -9 or a power cut still plays up to its last complete
 * fragment and is repaired by a plain stream-copy remux. A faststart (non-fragmented) MP4 writes
 * its index only when the segment closes, so a cut-off file would hold no playable footage.
 * flush_packets=1 hands each fragment to the kernel when it is complete instead of when ffmpeg's
 * 32 KiB buffer fills, so a killed recorder loses at most the fragment in progress (one GOP).
 */
export type AudioMode = 'copy' | 'aac' | 'none';

export interface RecordArgsInput {
  url: string;
  /** Output pattern with a %06d sequence field. */
  outputPattern: string;
  segmentSeconds: number;
  audio: AudioMode;
  /** Socket I/O timeout for RTSP, ms. */
  ioTimeoutMs: number;
}

export function buildRecordArgs(o: RecordArgsInput): string[] {
  const isRtsp = /^rtsps?:\/\//i.test(o.url);
  const input = isRtsp ? ['-rtsp_transport', 'tcp', '-timeout', String(o.ioTimeoutMs * 1000)] : [];
  // G.711 (common on cameras) does not fit in MP4, so by default audio is re-encoded to AAC:
  // cheap next to video, which is always copied.
  const audio = o.audio === 'none' ? ['-an'] : ['-map', '0:a:0?', '-c:a', o.audio === 'copy' ? 'copy' : 'aac', ...(o.audio === 'aac' ? ['-b:a', '64k'] : [])];
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'warning',
    ...input,
    '-i', o.url,
    '-map', '0:v:0', '-c:v', 'copy',
    ...audio,
    '-f', 'segment',
    '-segment_time', String(o.segmentSeconds),
    '-reset_timestamps', '1',
    '-segment_format', 'mp4',
    '-segment_format_options', 'movflags=+frag_keyframe+empty_moov+default_base_moof:flush_packets=1',
    // one CSV line per finished segment on stdout: "<file>,<start s>,<end s>"
    '-segment_list', 'pipe:1', '-segment_list_type', 'csv',
    // key=value progress blocks every second on fd 3: the stall watchdog and fps come from it
    '-progress', 'pipe:3', '-stats_period', '1',
    o.outputPattern,
  ];
}
