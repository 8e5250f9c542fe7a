import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findDuplicates } from '../src/inventory/duplicates.ts';
import { toCsv, toGeoJson, CSV_COLUMNS } from '../src/inventory/export.ts';
import type { InventoryCamera } from '../src/domain/types.ts';
import { smallCity } from './fixtures/small-city.ts';

function cam(agentId: string, cameraId: string, over: Partial<InventoryCamera> = {}): InventoryCamera {
  return {
    agentId, cameraId, name: null, siteId: null, ownerOrgId: 'o', ownerOrgKind: 'ward_committee', ownerOrgName: 'O', areaId: 'w', purposes: ['traffic'],
    lat: null, lon: null, address: null, serial: null, mac: null, manufacturer: null, model: null, status: 'online', online: true, recording: true,
    problem: null, conformance: 'pass', lastReportAt: null, ...over,
  };
}

/** A small RFC 4180 parser, to read the export back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += ch;
  }
  return rows;
}

test('duplicate flags on a made-up inventory', () => {
  const inventory = [
    cam('agent-ward', 'c1', { serial: 'DS-123', lat: 21.0287, lon: 105.8524 }),
    cam('agent-police', 'tc-9', { serial: 'ds-123 ', purposes: ['public_order'], lat: 21.03, lon: 105.86 }), // same serial, two agents
    cam('agent-nvr', 'ch1', { mac: '44:AA:BB:CC:DD:01', serial: 'NVR-1' }),
    cam('agent-nvr', 'ch2', { mac: '44:AA:BB:CC:DD:02', serial: 'NVR-1' }), // two channels of one NVR: not a duplicate
    cam('agent-shop', 'x', { mac: '44-aa-bb-cc-dd-01' }), // same MAC as agent-nvr/ch1
    cam('agent-a', 'near1', { lat: 21.0, lon: 105.8, purposes: ['traffic'] }),
    cam('agent-b', 'near2', { lat: 21.00002, lon: 105.80002, purposes: ['traffic', 'urban_order'] }), // ~3 m away, same purpose
    cam('agent-c', 'near3', { lat: 21.00001, lon: 105.80001, purposes: ['environment'] }), // close, different purpose
    cam('agent-d', 'far', { lat: 21.001, lon: 105.8, purposes: ['traffic'] }), // 110 m away
  ];
  const flags = findDuplicates(inventory);
  const summary = flags.map((f) => `${f.reason}:${f.cameras.join('+')}`).sort();
  assert.equal(summary, [
    'nearby-same-purpose:agent-a/near1+agent-b/near2',
    'same-mac:agent-nvr/ch1+agent-shop/x',
    'same-serial:agent-police/tc-9+agent-ward/c1',
  ]);
});

test('CSV export parses back, with quoting and formula neutralising', () => {
  const cams = [cam('a', '1', { name: 'Ngã tư "Hàng Bài", cổng 1', address: 'line1\nline2', purposes: ['traffic', 'public_order'], lat: 21.1, lon: 105.2 }), cam('a', '2', { name: '=HYPERLINK("x")' })];
  const rows = parseCsv(toCsv(cams));
  assert.equal(rows[0], [...CSV_COLUMNS]);
  const col = (r: string[], k: (typeof CSV_COLUMNS)[number]) => r[CSV_COLUMNS.indexOf(k)];
  assert.is(col(rows[1]!, 'name'), 'Ngã tư "Hàng Bài", cổng 1');
  assert.is(col(rows[1]!, 'address'), 'line1\nline2');
  assert.is(col(rows[1]!, 'purposes'), 'traffic;public_order');
  assert.is(Number(col(rows[1]!, 'lat')), 21.1);
  assert.is(col(rows[2]!, 'name'), `'=HYPERLINK("x")`);
  assert.is(rows.length, 3);
});

test('GeoJSON export parses back with [lon, lat] points', () => {
  const fc = JSON.parse(JSON.stringify(toGeoJson([cam('a', '1', { lat: 21.0287, lon: 105.8524 }), cam('a', '2')]))) as ReturnType<typeof toGeoJson>;
  assert.is(fc.type, 'FeatureCollection');
  assert.equal(fc.features[0]!.geometry, { type: 'Point', coordinates: [105.8524, 21.0287] });
  assert.is(fc.features[1]!.geometry, null);
  assert.is(fc.features[0]!.id, 'a/1');
});

test('exports through the API carry only the cameras in scope, and are audited', async () => {
  const city = await smallCity();
  const csv = await city.call('ward-a', 'GET', '/api/v1/cameras/export.csv');
  assert.is(csv.status, 200);
  assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
  const rows = parseCsv(await csv.text());
  assert.equal(rows.slice(1).map((r) => r[1]), ['cam-a']);
  const geo = (await (await city.call('operator', 'GET', '/api/v1/cameras/export.geojson?area=ward-b')).json()) as ReturnType<typeof toGeoJson>;
  assert.equal(geo.features.map((f) => f.id), ['agent-b/cam-b']);
  const entries = await city.domain.audit.query({ action: 'inventory.export', limit: 10 });
  assert.is(entries.length, 2);
});

test('search is accent-insensitive and pages', async () => {
  const city = await smallCity();
  const res = (await (await city.call('admin', 'GET', '/api/v1/cameras?q=tran%20tien&pageSize=1')).json()) as { items: Array<{ ownerOrgId: string }>; total: number; pageSize: number };
  assert.is(res.total, 2); // the shop "Cửa hàng Tràng Tiền" owns two cameras
  assert.is(res.items.length, 1);
  const bad = await city.call('admin', 'GET', '/api/v1/cameras?pageSize=0');
  assert.is(bad.status, 400);
  assert.is(((await bad.json()) as { error: { code: string } }).error.code, 'bad-request');
});

test('the OpenAPI document lists the routes, generated from the request schemas', async () => {
  const city = await smallCity();
  const doc = (await (await city.app.request('/api/v1/openapi.json')).json()) as { openapi: string; paths: Record<string, Record<string, { parameters?: Array<{ name: string }> }>> };
  assert.is(doc.openapi, '3.1.0');
  for (const p of ['/api/v1/cameras', '/api/v1/cameras/export.csv', '/api/v1/sharing/grants', '/api/v1/audit', '/api/v1/auth/login', '/api/v1/users']) assert.ok(doc.paths[p], p);
  assert.ok(doc.paths['/api/v1/cameras']!.get!.parameters!.some((x) => x.name === 'pageSize'));
});

test.run();
