// Camera event topics (ONVIF core and the major vendors' variants) → camfleet event kinds.
// Topics arrive as "prefix:Seg/prefix:Seg/..." with whatever prefixes the firmware declared, so
// they are compared by local segment names only. Each mapping names the data item that carries
// the state (true = the condition began, false = it ended) or, for instantaneous events such as a
// line crossing, none.
export type CameraEventKind = 'motion' | 'tamper' | 'line_crossing' | 'intrusion';

export interface TopicRule {
  /** Local segment names, in order; '*' matches one segment (a vendor's rule name). */
  segments: string[];
  kind: CameraEventKind;
  /** Data SimpleItem names holding the state, first present wins. */
  stateItems: string[];
  /** Instantaneous: the message itself is the event (no state item). */
  instant?: boolean;
}

/** Sources: ONVIF Core/Analytics specs' topic sets and what Hikvision, Dahua, Axis, Hanwha, Uniview firmwares send. */
export const TOPIC_RULES: TopicRule[] = [
  // ONVIF cell motion (Hikvision, Dahua, Uniview, Hanwha, most gSOAP firmwares).
  { segments: ['RuleEngine', 'CellMotionDetector', 'Motion'], kind: 'motion', stateItems: ['IsMotion'] },
  // ONVIF Profile T motion region detector.
  { segments: ['RuleEngine', 'MotionRegionDetector', 'Motion'], kind: 'motion', stateItems: ['State', 'IsMotion'] },
  // Older/Axis/Hanwha: video source motion alarm.
  { segments: ['VideoSource', 'MotionAlarm'], kind: 'motion', stateItems: ['State'] },
  // Axis VMD 4 and similar vendor detectors under RuleEngine: tnsaxis:VMD4/Camera1ProfileANY.
  { segments: ['RuleEngine', 'VMD4', '*'], kind: 'motion', stateItems: ['active'] },
  // Tamper: Hikvision/Uniview TamperDetector, ONVIF GlobalSceneChange, Axis Tampering, Dahua VideoBlind.
  { segments: ['RuleEngine', 'TamperDetector', 'Tamper'], kind: 'tamper', stateItems: ['IsTamper'] },
  { segments: ['VideoSource', 'GlobalSceneChange', '*'], kind: 'tamper', stateItems: ['State'] },
  { segments: ['VideoSource', 'Tampering'], kind: 'tamper', stateItems: ['tampering', 'State'] },
  { segments: ['VideoSource', 'ImageTooBlurry', '*'], kind: 'tamper', stateItems: ['State'] },
  { segments: ['VideoSource', 'ImageTooDark', '*'], kind: 'tamper', stateItems: ['State'] },
  { segments: ['RuleEngine', 'VideoBlind', '*'], kind: 'tamper', stateItems: ['State', 'IsTamper'] },
  // Line crossing: ONVIF LineDetector/Crossed (instant), Hikvision LineCrossing, Dahua CrossLineDetection.
  { segments: ['RuleEngine', 'LineDetector', 'Crossed'], kind: 'line_crossing', stateItems: [], instant: true },
  { segments: ['RuleEngine', 'LineCrossing', '*'], kind: 'line_crossing', stateItems: ['State', 'IsCrossed'], instant: true },
  { segments: ['RuleEngine', 'CrossLineDetection', '*'], kind: 'line_crossing', stateItems: ['State'], instant: true },
  // Intrusion: ONVIF FieldDetector/ObjectsInside, Hikvision FieldDetection/Intrusion, Dahua CrossRegionDetection.
  { segments: ['RuleEngine', 'FieldDetector', 'ObjectsInside'], kind: 'intrusion', stateItems: ['IsInside'] },
  { segments: ['RuleEngine', 'FieldDetection', '*'], kind: 'intrusion', stateItems: ['State', 'IsInside'] },
  { segments: ['RuleEngine', 'Intrusion', '*'], kind: 'intrusion', stateItems: ['State', 'IsInside'] },
  { segments: ['RuleEngine', 'CrossRegionDetection', '*'], kind: 'intrusion', stateItems: ['State', 'IsInside'] },
];

/** "tns1:RuleEngine/tnsaxis:VMD4/Camera1" → ['RuleEngine', 'VMD4', 'Camera1']. */
export function topicSegments(topic: string): string[] {
  return topic
    .trim()
    .split('/')
    .map((s) => s.trim().replace(/^[^:]*:/, ''))
    .filter(Boolean);
}

export function ruleFor(topic: string): TopicRule | undefined {
  const segs = topicSegments(topic);
  return TOPIC_RULES.find((r) => r.segments.length === segs.length && r.segments.every((s, i) => s === '*' || s.toLowerCase() === segs[i]!.toLowerCase()));
}
