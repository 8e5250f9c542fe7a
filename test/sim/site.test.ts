import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { passwordDigest } from './onvif/index.ts';
import { startSimulatedSite, type SimulatedSite } from './site.ts';

const run = promisify(execFile);
const creds = { username: 'site-admin', password: 'Site-Pw-1' };

function getStreamUri(onvifUrl: string, username: string, password: string): Promise<Response> {
  const nonce = randomBytes(16).toString('base64');
  const created = new Date().toISOString();
  const body =
    `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header><Security xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><UsernameToken>` +
    `<Username>${username}</Username><Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${passwordDigest(nonce, created, password)}</Password>` +
    `<Nonce>${nonce}</Nonce><Created xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">${created}</Created></UsernameToken></Security></s:Header>` +
    `<s:Body><GetStreamUri xmlns="http://www.onvif.org/ver20/media/wsdl"><Protocol>RtspUnicast</Protocol><ProfileToken>main</ProfileToken></GetStreamUri></s:Body></s:Envelope>`;
  return fetch(onvifUrl.replace('device_service', 'media2_service'), { method: 'POST', body, headers: { 'Content-Type': 'application/soap+xml' } });
}

async function probeVideo(url: string): Promise<string> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-analyzeduration', '1500000', '-rtsp_transport', 'tcp', '-timeout', '10000000', '-select_streams', 'v', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', url], { timeout: 30_000 });
  return stdout.trim();
}

const withCreds = (url: string) => url.replace('rtsp://', `rtsp://${creds.username}:${creds.password}@`);

let site: SimulatedSite | undefined;
test.after.each(async () => {
  await site?.close();
  site = undefined;
});

test('a site of cameras: ONVIF stream URIs lead to the RTSP streams, stop/start takes a camera off and back', async () => {
  site = await startSimulatedSite({ cameras: 2, credentials: creds, width: 320, height: 180, fps: 5 });
  assert.equal(site.cameras.map((c) => c.id), ['cam1', 'cam2']);
  const cam2 = site.cameras[1]!;

  const res = await getStreamUri(cam2.onvifUrl, creds.username, creds.password);
  assert.is(res.status, 200);
  const uri = /<tr2:Uri>([^<]+)<\/tr2:Uri>/.exec(await res.text())?.[1];
  assert.is(uri, cam2.rtspUrl);
  assert.is(await probeVideo(withCreds(uri!)), '320,180');
  assert.match(await probeVideo(cam2.rtspUrl).catch((e: Error) => e.message), /401|Unauthorized/, 'RTSP needs the credentials too');

  await site.stopCamera('cam2');
  assert.match(await probeVideo(withCreds(cam2.rtspUrl)).catch((e: Error) => e.message), /404|Not Found/);
  const offline = await getStreamUri(cam2.onvifUrl, creds.username, creds.password).then(() => 'answered', (e: Error) => `failed: ${e.message}`);
  assert.match(offline, /^failed/, 'the ONVIF device is unreachable too');
  assert.is(await probeVideo(withCreds(site.cameras[0]!.rtspUrl)), '320,180', 'the other camera still works');

  await site.startCamera('cam2');
  assert.is((await getStreamUri(cam2.onvifUrl, creds.username, creds.password)).status, 200);
  assert.is(await probeVideo(withCreds(cam2.rtspUrl)), '320,180');
});

test.run();
