// The ONVIF event service's answers: subscription and PullMessages readers, and the mapping of the
// major vendors' topics (as their firmwares write them) to camfleet camera events. Hostile answers
// are refused clearly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSoap } from '../../src/onvif/soap.ts';
import { mapMessage, parseCreatePullPointSubscription, parsePullMessages, ruleFor, EventAnswerError } from '../../src/onvif/events/index.ts';
import { XmlError } from '../../src/onvif/xml.ts';

const FIXTURES = process.env.CAMFLEET_FIXTURES_DIR ?? '/work/shared/fixtures/onvif';
const body = (xml: string) => {
  const r = parseSoap(xml);
  if (!r.ok) throw new Error('fault');
  return r.body;
};
const envelope = (inner: string, ns = '') =>
  `<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tev="http://www.onvif.org/ver10/events/wsdl" xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2" xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:tns1="http://www.onvif.org/ver10/topics" ${ns}><s:Body>${inner}</s:Body></s:Envelope>`;
const notification = (topic: string, data: string, op = 'Changed', source = '<tt:SimpleItem Name="VideoSourceConfigurationToken" Value="VideoSource_1"/>') =>
  `<wsnt:NotificationMessage><wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">${topic}</wsnt:Topic><wsnt:Message><tt:Message UtcTime="2026-12-03T10:00:00Z" PropertyOperation="${op}"><tt:Source>${source}</tt:Source><tt:Data>${data}</tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage>`;
const pull = (...messages: string[]) => envelope(`<tev:PullMessagesResponse><tev:CurrentTime>2026-12-03T10:00:01Z</tev:CurrentTime><tev:TerminationTime>2026-12-03T10:01:01Z</tev:TerminationTime>${messages.join('')}</tev:PullMessagesResponse>`);

test('CreatePullPointSubscription: address and times; a non-URL address is refused', () => {
  const ok = body(envelope('<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference><wsa:Address>http://192.0.2.10/onvif/Events/PullSubManager_1</wsa:Address></tev:SubscriptionReference><wsnt:CurrentTime>2026-12-03T10:00:00Z</wsnt:CurrentTime><wsnt:TerminationTime>2026-12-03T10:01:00Z</wsnt:TerminationTime></tev:CreatePullPointSubscriptionResponse>'));
  assert.equal(parseCreatePullPointSubscription(ok), { address: 'http://192.0.2.10/onvif/Events/PullSubManager_1', currentTime: '2026-12-03T10:00:00Z', terminationTime: '2026-12-03T10:01:00Z' });
  const bad = body(envelope('<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference><wsa:Address>javascript:alert(1)</wsa:Address></tev:SubscriptionReference></tev:CreatePullPointSubscriptionResponse>'));
  assert.throws(() => parseCreatePullPointSubscription(bad), (e: Error) => e instanceof EventAnswerError && /not an http\(s\) URL/.test(e.message));
  assert.throws(() => parseCreatePullPointSubscription(body(envelope('<tev:Other/>'))), (e: Error) => e instanceof EventAnswerError);
});

test('Hikvision-style cell motion, tamper, line crossing and intrusion map to camera events with their state', () => {
  const r = parsePullMessages(body(pull(
    notification('tns1:RuleEngine/CellMotionDetector/Motion', '<tt:SimpleItem Name="IsMotion" Value="true"/>'),
    notification('tns1:RuleEngine/TamperDetector/Tamper', '<tt:SimpleItem Name="IsTamper" Value="false"/>'),
    notification('tns1:RuleEngine/LineDetector/Crossed', '<tt:SimpleItem Name="ObjectId" Value="42"/>'),
    notification('tns1:RuleEngine/FieldDetector/ObjectsInside', '<tt:SimpleItem Name="IsInside" Value="true"/>'),
    notification('tns1:Device/Trigger/DigitalInput', '<tt:SimpleItem Name="LogicalState" Value="true"/>'),
  )));
  assert.is(r.terminationTime, '2026-12-03T10:01:01Z');
  assert.is(r.messages.length, 5);
  assert.equal(r.messages.map((m) => { const e = mapMessage(m); return e ? [e.kind, e.active] : null; }), [['motion', true], ['tamper', false], ['line_crossing', undefined], ['intrusion', true], null]);
  assert.equal(r.messages[0]!.source, { VideoSourceConfigurationToken: 'VideoSource_1' });
});

test('vendor prefixes and topics: Axis, Dahua, Hanwha-style', () => {
  assert.is(ruleFor('tns1:RuleEngine/tnsaxis:VMD4/Camera1ProfileANY')?.kind, 'motion');
  assert.is(ruleFor('tns1:VideoSource/tnsaxis:Tampering')?.kind, 'tamper');
  assert.is(ruleFor('tns1:VideoSource/GlobalSceneChange/ImagingService')?.kind, 'tamper');
  assert.is(ruleFor('tns1:RuleEngine/CrossLineDetection/Rule1')?.kind, 'line_crossing');
  assert.is(ruleFor('tns1:RuleEngine/CrossRegionDetection/Rule2')?.kind, 'intrusion');
  assert.is(ruleFor(' tns1:VideoSource/MotionAlarm ')?.kind, 'motion');
  assert.is(ruleFor('tns1:RuleEngine/CellMotionDetector'), undefined, 'a prefix of a topic is not the topic');
  const axis = parsePullMessages(body(pull(notification('tns1:VideoSource/tnsaxis:Tampering', '<tt:SimpleItem Name="tampering" Value="1"/>'))));
  assert.equal(mapMessage(axis.messages[0]!)?.active, true);
});

test('Initialized "off" states are not events; garbage values and oversized lists are ignored', () => {
  const r = parsePullMessages(body(pull(
    notification('tns1:RuleEngine/CellMotionDetector/Motion', '<tt:SimpleItem Name="IsMotion" Value="false"/>', 'Initialized'),
    notification('tns1:RuleEngine/CellMotionDetector/Motion', '<tt:SimpleItem Name="IsMotion" Value="maybe"/>'),
    notification('tns1:RuleEngine/CellMotionDetector/Motion', ''),
  )));
  assert.equal(r.messages.map(mapMessage), [undefined, undefined, undefined]);
  const many = parsePullMessages(body(pull(...Array.from({ length: 150 }, () => notification('tns1:RuleEngine/CellMotionDetector/Motion', '<tt:SimpleItem Name="IsMotion" Value="true"/>')))));
  assert.is(many.messages.length, 100, 'at most 100 messages read from one answer');
});

test('hostile answers: DTDs refused, wrong answer named', () => {
  assert.throws(() => parseSoap('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>'), (e: Error) => e instanceof XmlError);
  assert.throws(() => parsePullMessages(body(envelope('<tev:CreatePullPointSubscriptionResponse/>'))), (e: Error) => /no PullMessagesResponse/.test(e.message));
});

test('a captured gSOAP answer (agsh mockup, 360Vision firmware): template markers aside, its motion messages map', () => {
  const raw = readFileSync(join(FIXTURES, 'agsh-mockup', 'PullMessages.xml'), 'utf8').replace(/\{\{[^}]*\}\}/g, '');
  const r = parsePullMessages(body(raw));
  assert.is(r.messages.length, 2);
  assert.equal(r.messages.map((m) => mapMessage(m)?.kind), ['motion', 'motion']);
  assert.equal(r.messages[0]!.data, { IsMotion: 'true' });
});

test.run();
