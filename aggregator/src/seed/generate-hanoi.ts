/**
 * Writes aggregator/seed/hanoi.json: a plausible demo city after Hanoi's July 2025 reform (the
 * city, then wards and communes), its agencies, a few businesses and a citizen, a few hundred
 * cameras with purposes and coordinates, demo users per role and two sharing grants. Ward names
 * are real post-2025 units; coordinates are approximate centres; cameras, serials and people are
 * made up. Deterministic (seeded PRNG), so regenerating gives the same file.
 *
 *   node --import tsx aggregator/src/seed/generate-hanoi.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SeedFile } from './schema.ts';

type Seed = { -readonly [K in keyof SeedFile]: SeedFile[K] };

function prng(seed: number): () => number {
  // mulberry32
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(20250701);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

const WARDS: Array<[id: string, name: string, kind: 'ward' | 'commune', lat: number, lon: number]> = [
  ['hoan-kiem', 'Phường Hoàn Kiếm', 'ward', 21.0287, 105.8524],
  ['cua-nam', 'Phường Cửa Nam', 'ward', 21.0245, 105.842],
  ['ba-dinh', 'Phường Ba Đình', 'ward', 21.0368, 105.8342],
  ['ngoc-ha', 'Phường Ngọc Hà', 'ward', 21.038, 105.82],
  ['giang-vo', 'Phường Giảng Võ', 'ward', 21.027, 105.819],
  ['hai-ba-trung', 'Phường Hai Bà Trưng', 'ward', 21.009, 105.857],
  ['bach-mai', 'Phường Bạch Mai', 'ward', 21.0005, 105.8495],
  ['dong-da', 'Phường Đống Đa', 'ward', 21.013, 105.827],
  ['van-mieu-qtg', 'Phường Văn Miếu - Quốc Tử Giám', 'ward', 21.0277, 105.8355],
  ['lang', 'Phường Láng', 'ward', 21.018, 105.808],
  ['kim-lien', 'Phường Kim Liên', 'ward', 21.007, 105.836],
  ['tay-ho', 'Phường Tây Hồ', 'ward', 21.07, 105.819],
  ['cau-giay', 'Phường Cầu Giấy', 'ward', 21.032, 105.799],
  ['thanh-xuan', 'Phường Thanh Xuân', 'ward', 20.993, 105.806],
  ['hoang-mai', 'Phường Hoàng Mai', 'ward', 20.976, 105.851],
  ['long-bien', 'Phường Long Biên', 'ward', 21.045, 105.889],
  ['ha-dong', 'Phường Hà Đông', 'ward', 20.971, 105.778],
  ['dong-anh', 'Xã Đông Anh', 'commune', 21.137, 105.847],
  ['bat-trang', 'Xã Bát Tràng', 'commune', 20.977, 105.913],
  ['soc-son', 'Xã Sóc Sơn', 'commune', 21.258, 105.848],
];

const STREETS = ['Đinh Tiên Hoàng', 'Tràng Tiền', 'Hàng Bài', 'Lê Duẩn', 'Điện Biên Phủ', 'Kim Mã', 'Giảng Võ', 'Láng Hạ', 'Nguyễn Chí Thanh',
  'Xã Đàn', 'Tôn Đức Thắng', 'Giải Phóng', 'Trường Chinh', 'Nguyễn Trãi', 'Cầu Giấy', 'Xuân Thủy', 'Lạc Long Quân', 'Âu Cơ',
  'Nguyễn Văn Cừ', 'Ngọc Lâm', 'Quang Trung', 'Trần Phú', 'Tam Trinh', 'Minh Khai', 'Phạm Văn Đồng', 'Võ Nguyên Giáp'];
const MODELS: Array<[string, string]> = [['Hikvision', 'DS-2CD2143G2-I'], ['Dahua', 'IPC-HFW2431S'], ['Axis', 'P1455-LE'], ['Vantech', 'VP-4460IP'], ['KBVision', 'KX-C4012N']];
const WARD_PURPOSES = ['public_order', 'urban_order', 'environment', 'fire_safety', 'traffic'];

function mac(): string {
  return Array.from({ length: 6 }, (_, i) => (i === 0 ? 0x44 : Math.floor(rand() * 256)).toString(16).padStart(2, '0')).join(':');
}
function jitter(base: number, metres: number): number {
  return round6(base + ((rand() - 0.5) * 2 * metres) / 111_000);
}
function state(): NonNullable<SeedFile['cameras'][number]['state']> {
  const r = rand();
  if (r < 0.06) return { online: false, recording: false, problem: 'no response to RTSP DESCRIBE', conformance: 'pass' };
  if (r < 0.1) return { online: true, recording: false, problem: 'recorder stopped: disk write error', conformance: 'warn' };
  if (r < 0.16) return { online: true, recording: true, conformance: 'fail' };
  return { online: true, recording: true, conformance: rand() < 0.8 ? 'pass' : 'warn' };
}

export function generateHanoi(): Seed {
  const seed: Seed = {
    name: 'Hà Nội (demo, after the July 2025 two-tier reform)',
    areas: [{ id: 'hanoi', name: 'Thành phố Hà Nội', kind: 'city', lat: 21.0285, lon: 105.8542 }],
    purposes: [
      { id: 'traffic', name: 'Giao thông (traffic)' },
      { id: 'public_order', name: 'An ninh trật tự (public order and security)' },
      { id: 'urban_order', name: 'Trật tự đô thị (urban order)' },
      { id: 'environment', name: 'Môi trường (environment)' },
      { id: 'fire_safety', name: 'Phòng cháy chữa cháy (fire safety)' },
      { id: 'defence', name: 'Quốc phòng (defence)' },
      { id: 'business_security', name: 'An ninh cơ sở (premises security)' },
    ],
    orgs: [
      { id: 'city-committee', name: 'UBND Thành phố Hà Nội', kind: 'city_committee', area: 'hanoi' },
      { id: 'city-police', name: 'Công an Thành phố Hà Nội', kind: 'police', area: 'hanoi', purposes: ['traffic', 'public_order', 'fire_safety', 'business_security'] },
      { id: 'capital-command', name: 'Bộ Tư lệnh Thủ đô Hà Nội', kind: 'command', area: 'hanoi', purposes: ['defence', 'public_order'] },
      { id: 'dept-construction', name: 'Sở Xây dựng Hà Nội', kind: 'department', area: 'hanoi', purposes: ['traffic', 'urban_order'] },
      { id: 'dept-science-tech', name: 'Sở Khoa học và Công nghệ Hà Nội', kind: 'department', area: 'hanoi' },
    ],
    sites: [],
    cameras: [],
    users: [
      { username: 'admin', role: 'admin', org: 'city-committee' },
      { username: 'operator.city', role: 'operator', org: 'city-committee' },
      { username: 'auditor.city', role: 'auditor', org: 'city-committee' },
      { username: 'police.duty', role: 'police_officer', org: 'city-police' },
      { username: 'command.duty', role: 'command_officer', org: 'capital-command' },
      { username: 'construction.officer', role: 'department_officer', org: 'dept-construction' },
      { username: 'sciencetech.inspector', role: 'inspector', org: 'dept-science-tech' },
    ],
    grants: [],
  };

  for (const [id, name, kind, lat, lon] of WARDS) {
    seed.areas.push({ id, name, kind, parent: 'hanoi', lat, lon });
    const org = `ubnd-${id}`;
    seed.orgs.push({ id: org, name: `UBND ${name}`, kind: 'ward_committee', area: id });
    const site = `site-ubnd-${id}`;
    const agent = `agent-${id}-01`;
    const street = pick(STREETS);
    seed.sites.push({ id: site, name: `Trụ sở UBND ${name}`, org, area: id, address: `${1 + Math.floor(rand() * 200)} ${street}, ${name}`, lat, lon, agents: [agent] });
    const count = 8 + Math.floor(rand() * 8);
    for (let i = 1; i <= count; i++) {
      const [manufacturer, model] = pick(MODELS);
      const purposes = rand() < 0.3 ? [pick(WARD_PURPOSES), pick(WARD_PURPOSES)] : [pick(WARD_PURPOSES)];
      seed.cameras.push({
        agent, id: `cam-${String(i).padStart(2, '0')}`, name: `${pick(STREETS)} ${i}`, site,
        purposes: [...new Set(purposes)], lat: jitter(lat, 900), lon: jitter(lon, 900),
        address: `${pick(STREETS)}, ${name}`, serial: `${manufacturer.slice(0, 2).toUpperCase()}${Math.floor(rand() * 1e9)}`, mac: mac(),
        manufacturer, model, state: state(),
      });
    }
    if (['hoan-kiem', 'ba-dinh', 'dong-anh'].includes(id)) {
      seed.users.push({ username: `ward.${id}`, role: 'ward_officer', org });
      seed.users.push({ username: `tech.${id}`, role: 'site_manager', org });
    }
  }

  // Police traffic cameras at junctions, one agent per cluster of wards.
  const clusters = [['hoan-kiem', 'cua-nam', 'hai-ba-trung', 'bach-mai'], ['ba-dinh', 'ngoc-ha', 'giang-vo', 'van-mieu-qtg', 'dong-da'],
    ['lang', 'kim-lien', 'cau-giay', 'thanh-xuan', 'tay-ho'], ['hoang-mai', 'long-bien', 'ha-dong', 'dong-anh', 'bat-trang', 'soc-son']];
  clusters.forEach((wards, ci) => {
    const agent = `agent-police-tc-${ci + 1}`;
    const site = `site-police-tc-${ci + 1}`;
    const [, , , lat0, lon0] = WARDS.find((w) => w[0] === wards[0])!;
    seed.sites.push({ id: site, name: `Trung tâm chỉ huy giao thông – cụm ${ci + 1}`, org: 'city-police', area: 'hanoi', lat: lat0, lon: lon0, agents: [agent] });
    let n = 0;
    for (const wid of wards) {
      const [, wname, , lat, lon] = WARDS.find((w) => w[0] === wid)!;
      const per = 4 + Math.floor(rand() * 5);
      for (let i = 0; i < per; i++) {
        n++;
        const [manufacturer, model] = pick(MODELS);
        const a = pick(STREETS), b = pick(STREETS);
        seed.cameras.push({
          agent, id: `tc-${String(n).padStart(3, '0')}`, name: `Nút giao ${a} – ${b}`, site, area: wid,
          purposes: rand() < 0.4 ? ['traffic', 'public_order'] : ['traffic'], lat: jitter(lat, 1200), lon: jitter(lon, 1200),
          address: `Ngã tư ${a} – ${b}, ${wname}`, serial: `TC${Math.floor(rand() * 1e9)}`, mac: mac(), manufacturer, model, state: state(),
        });
      }
    }
  });

  // Capital command: a few cameras at its premises.
  seed.sites.push({ id: 'site-capital-command', name: 'Sở chỉ huy Bộ Tư lệnh Thủ đô', org: 'capital-command', area: 'ba-dinh', address: 'Ba Đình, Hà Nội', lat: 21.0336, lon: 105.8396, agents: ['agent-command-01'] });
  for (let i = 1; i <= 6; i++) {
    seed.cameras.push({ agent: 'agent-command-01', id: `cmd-${i}`, name: `Cổng ${i}`, site: 'site-capital-command', purposes: ['defence'], lat: jitter(21.0336, 150), lon: jitter(105.8396, 150), serial: `CMD${1000 + i}`, mac: mac(), manufacturer: 'Axis', model: 'Q1656', state: state() });
  }

  // Businesses and a citizen: private cameras, seen by agencies only through sharing grants.
  const businesses: Array<[id: string, name: string, ward: string, count: number, purposes: string[]]> = [
    ['biz-trang-tien-plaza', 'Trung tâm thương mại Tràng Tiền Plaza', 'hoan-kiem', 14, ['business_security', 'public_order']],
    ['biz-vincom-ba-trieu', 'Vincom Center Bà Triệu', 'hai-ba-trung', 18, ['business_security', 'fire_safety']],
    ['biz-hong-ngoc-hospital', 'Bệnh viện Đa khoa Hồng Ngọc', 'ba-dinh', 10, ['business_security']],
    ['biz-giap-bat-bus', 'Công ty CP Bến xe Hà Nội (Giáp Bát)', 'hoang-mai', 12, ['business_security', 'traffic']],
  ];
  for (const [id, name, ward, count, purposes] of businesses) {
    const [, wname, , lat, lon] = WARDS.find((w) => w[0] === ward)!;
    seed.orgs.push({ id, name, kind: 'business', area: ward });
    const site = `site-${id}`;
    const agent = `agent-${id}`;
    const slat = jitter(lat, 400), slon = jitter(lon, 400);
    seed.sites.push({ id: site, name, org: id, area: ward, address: `${wname}, Hà Nội`, lat: slat, lon: slon, agents: [agent] });
    for (let i = 1; i <= count; i++) {
      const [manufacturer, model] = pick(MODELS);
      seed.cameras.push({ agent, id: `cam-${i}`, name: `${name} – camera ${i}`, site, purposes: [pick(purposes)], lat: jitter(slat, 60), lon: jitter(slon, 60), serial: `BZ${Math.floor(rand() * 1e9)}`, mac: mac(), manufacturer, model, state: state() });
    }
    seed.users.push({ username: `owner.${id.replace(/^biz-/, '')}`, role: 'owner', org: id });
  }
  seed.orgs.push({ id: 'citizen-nguyen-van-an', name: 'Hộ gia đình Nguyễn Văn An', kind: 'citizen', area: 'tay-ho' });
  seed.sites.push({ id: 'site-citizen-nguyen-van-an', name: 'Nhà riêng – Tây Hồ', org: 'citizen-nguyen-van-an', area: 'tay-ho', lat: 21.0712, lon: 105.8201, agents: ['agent-citizen-nva'] });
  for (let i = 1; i <= 2; i++) seed.cameras.push({ agent: 'agent-citizen-nva', id: `cam-${i}`, name: `Cổng nhà ${i}`, site: 'site-citizen-nguyen-van-an', purposes: ['public_order'], lat: jitter(21.0712, 10), lon: jitter(105.8201, 10), serial: `HH${100 + i}`, mac: mac(), manufacturer: 'Hikvision', model: 'DS-2CD1023G0E-I', state: state() });
  seed.users.push({ username: 'citizen.an', role: 'owner', org: 'citizen-nguyen-van-an' });

  // Likely duplicates for the review list: one physical camera reported through two agents
  // (same serial and MAC), and a ward camera 3 m from a police traffic camera with the same purpose.
  const mall = seed.cameras.find((c) => c.agent === 'agent-biz-trang-tien-plaza' && c.id === 'cam-1')!;
  seed.cameras.push({ ...mall, agent: 'agent-hoan-kiem-01', id: 'cam-mall-entrance', site: 'site-ubnd-hoan-kiem', owner: 'ubnd-hoan-kiem', name: 'Lối vào Tràng Tiền Plaza (nhìn từ phường)', purposes: ['public_order'] });
  const junction = seed.cameras.find((c) => c.agent === 'agent-police-tc-1' && c.id === 'tc-001')!;
  seed.cameras.push({ agent: 'agent-hoan-kiem-01', id: 'cam-junction', site: 'site-ubnd-hoan-kiem', name: `${junction.name} (phường)`, purposes: ['traffic'], lat: round6(junction.lat! + 0.00002), lon: round6(junction.lon! + 0.00002), serial: 'HK-DUP-1', mac: mac(), manufacturer: 'Dahua', model: 'IPC-HFW2431S', state: state() });

  // Grants: the mall shares events and clips of its entrance cameras with the city police during
  // opening hours for public order; the bus station shares health and events with any police org.
  seed.grants.push({
    id: 'grant-trang-tien-police', owner: 'biz-trang-tien-plaza', grantedBy: 'owner.trang-tien-plaza',
    cameras: [1, 2, 3, 4].map((i) => ({ agent: 'agent-biz-trang-tien-plaza', id: `cam-${i}` })),
    granteeOrgs: ['city-police'], granteeKinds: [], levels: ['health', 'events', 'snapshots', 'clips'], purposes: ['public_order'], hours: { from: 0, to: 24 }, validDays: 365,
  });
  seed.grants.push({
    id: 'grant-giap-bat-police', owner: 'biz-giap-bat-bus', grantedBy: 'owner.giap-bat-bus',
    cameras: [1, 2, 3, 4, 5, 6].map((i) => ({ agent: 'agent-biz-giap-bat-bus', id: `cam-${i}` })),
    granteeOrgs: [], granteeKinds: ['police', 'ward_committee'], levels: ['health', 'events'], purposes: [], validDays: 180,
  });
  return seed;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = fileURLToPath(new URL('../../seed/hanoi.json', import.meta.url));
  const seed = generateHanoi();
  writeFileSync(out, JSON.stringify(seed, null, 1) + '\n');
  console.log(`wrote ${out}: ${seed.areas.length} areas, ${seed.orgs.length} orgs, ${seed.sites.length} sites, ${seed.cameras.length} cameras, ${seed.users.length} users`);
}
