/**
 * Fuzzing the SOAP and discovery readers with mutated real fixtures: thousands of cases, each
 * must end in a value or a clean XmlError/SoapShapeError, never a crash or a hang. The seed is
 * fixed so a failure is reproducible; CAMFLEET_FUZZ_CASES and CAMFLEET_FUZZ_SEED change them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseSoap, responseElement, SoapShapeError } from '../../src/onvif/soap.ts';
import * as P from '../../src/onvif/parse.ts';
import { XmlError } from '../../src/onvif/xml.ts';
import { parseDiscoveryMessage } from '../../src/discovery/messages.ts';
import { FIXTURES } from './fixtures.ts';

const CASES = Number(process.env.CAMFLEET_FUZZ_CASES ?? 3000);
let seed = Number(process.env.CAMFLEET_FUZZ_SEED ?? 20261122);

/** mulberry32: small, fast, deterministic. */
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
const int = (n: number) => Math.floor(rand() * n);

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const full = join(dir, f);
    return statSync(full).isDirectory() ? listFiles(full) : /\.xml$|GetOSDOptions$/.test(f) ? [full] : [];
  });
}

const SNIPPETS = [
  '<', '>', '&', '&amp;', '&lt;', '&#x0;', '&#99999999;', '&bogus;', ']]>', '<![CDATA[x]]>', '<!-- c -->', '<?pi x?>',
  '<!DOCTYPE x [<!ENTITY a "aaaa">]>', '<!ENTITY b SYSTEM "file:///etc/passwd">', '"', "'", '\u0000', '\uFFFF', '\uD800',
  '<a:b:c>', '</Envelope>', '<Body>', '<Fault>', 'xmlns:=""', ' token="', '<Uri>rtsp://x/&amp;&amp;</Uri>',
];

function mutate(src: string): string {
  let s = src;
  const rounds = 1 + int(4);
  for (let r = 0; r < rounds; r++) {
    const at = int(s.length + 1);
    switch (int(8)) {
      case 0: // truncate
        s = s.slice(0, at);
        break;
      case 1: // flip a character
        s = s.slice(0, at) + String.fromCharCode(int(0x7f)) + s.slice(at + 1);
        break;
      case 2: // insert a hostile snippet
        s = s.slice(0, at) + pick(SNIPPETS) + s.slice(at);
        break;
      case 3: { // duplicate a slice (repeated elements, nesting)
        const len = int(400);
        s = s.slice(0, at) + s.slice(at, at + len).repeat(1 + int(5)) + s.slice(at);
        break;
      }
      case 4: // delete a slice
        s = s.slice(0, at) + s.slice(at + int(200));
        break;
      case 5: // swap prefixes
        s = s.replace(/SOAP-ENV:|env:|s:|tt:|tds:|trt:|tr2:/g, () => pick(['', 'x:', 'SOAP-ENV:', 'a:b:', ':']));
        break;
      case 6: // deep nesting
        s = s.slice(0, at) + '<n>'.repeat(int(200)) + s.slice(at);
        break;
      default: // numbers out of range
        s = s.replace(/>(\d+)</g, () => `>${pick(['-1', '1e309', 'NaN', '99999999999999999999', '0x10', ''])}<`);
    }
  }
  return s;
}

const readers: Array<[string, (n: import('../../src/onvif/xml.ts').XmlNode) => unknown]> = [
  ['GetSystemDateAndTime', P.parseSystemDateAndTime],
  ['GetDeviceInformation', P.parseDeviceInformation],
  ['GetServices', P.parseServices],
  ['GetCapabilities', P.parseCapabilities],
  ['GetScopes', P.parseScopeItems],
  ['GetProfiles', P.parseMedia1Profiles],
  ['GetProfiles', P.parseMedia2Profiles],
  ['GetVideoEncoderConfigurations', P.parseMedia2EncoderConfigurations],
  ['GetStreamUri', P.parseMediaUri],
];

test(`${CASES} mutated fixtures through the SOAP, ONVIF and discovery readers: no crash, no hang`, () => {
  const sources = listFiles(FIXTURES).map((f) => readFileSync(f, 'utf8'));
  assert.ok(sources.length > 100, 'fixtures found');
  const outcome = { value: 0, fault: 0, refused: 0 };
  let slowest = 0;
  for (let i = 0; i < CASES; i++) {
    const input = mutate(pick(sources));
    const started = performance.now();
    try {
      const r = parseSoap(Buffer.from(input, 'utf8'));
      if (r.ok) {
        outcome.value++;
        for (const [op, read] of readers) {
          const el = responseElement(r.body, op);
          if (el) read(el);
        }
      } else {
        outcome.fault++;
        assert.type(r.fault.reason, 'string');
      }
    } catch (err) {
      if (!(err instanceof XmlError || err instanceof SoapShapeError)) {
        throw new Error(`case ${i} (seed ${process.env.CAMFLEET_FUZZ_SEED ?? 20261122}) threw ${String(err)}\n${input.slice(0, 2000)}`);
      }
      outcome.refused++;
    }
    const m = parseDiscoveryMessage(input);
    if (m) assert.ok(Array.isArray(m.matches));
    slowest = Math.max(slowest, performance.now() - started);
  }
  console.log(`  fuzz: ${CASES} cases: ${outcome.value} parsed, ${outcome.fault} faults, ${outcome.refused} refused; slowest case ${slowest.toFixed(1)} ms`);
  assert.ok(outcome.value > 0 && outcome.refused > 0, 'the mutations reach both outcomes');
});

test('random bytes and giant inputs through the discovery reader', () => {
  for (let i = 0; i < 500; i++) {
    const bytes = new Uint8Array(int(2048));
    for (let j = 0; j < bytes.length; j++) bytes[j] = int(256);
    assert.is(parseDiscoveryMessage(bytes), null);
  }
  const many = `<e:Envelope xmlns:e="x"><e:Body><d:ProbeMatches>${'<d:ProbeMatch><a:EndpointReference><a:Address>urn:x</a:Address></a:EndpointReference><d:XAddrs>http://127.0.0.1/ http://127.0.0.1/ http://127.0.0.1/ http://127.0.0.1/ http://127.0.0.1/ http://127.0.0.1/ http://127.0.0.1/ http://127.0.0.1/ http://127.0.0.1/ http://127.0.0.1/</d:XAddrs></d:ProbeMatch>'.repeat(500)}</d:ProbeMatches></e:Body></e:Envelope>`;
  const m = parseDiscoveryMessage(many)!;
  assert.is(m.matches.length, 64, 'matches per datagram are capped');
  assert.is(m.matches[0]!.xaddrs.length, 8, 'addresses per match are capped');
});

test.run();
