/**
 * The dashboard's settings in the aggregator's config file (`dashboard:`). Map tiles are optional:
 * without them the map draws area outlines and cameras on a plain background. With them, tiles
 * come from the configured server (e.g. a tile server in the city's data centre), never from a
 * public service by default.
 *
 *   dashboard:
 *     mapTiles:
 *       url: http://tiles.datacenter.hanoi.local/{z}/{x}/{y}.png
 *       attribution: "© OpenStreetMap contributors"
 *       maxZoom: 19
 */
import { z } from 'zod';

const TileUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL')
  .refine((u) => ['{z}', '{x}', '{y}'].every((p) => u.includes(p)), 'must contain {z}, {x} and {y}')
  .refine((u) => !/^https?:\/\/[^/]*@/.test(u), 'must not carry credentials (the browser sees this URL)');

export const DashboardConfigSchema = z
  .object({
    mapTiles: z
      .object({
        url: TileUrl,
        attribution: z.string().max(200).default(''),
        maxZoom: z.number().int().min(1).max(22).default(19),
      })
      .strict()
      .optional(),
  })
  .strict();

export type DashboardConfig = z.infer<typeof DashboardConfigSchema>;

/** What the browser is told (GET /dashboard-config.json): public settings only. */
export function publicDashboardConfig(config: DashboardConfig) {
  return { mapTiles: config.mapTiles ?? null };
}

/** The origin tiles come from, for the Content-Security-Policy's img-src. */
export function tileOrigin(config: DashboardConfig): string | undefined {
  if (!config.mapTiles) return undefined;
  // The template's braces are not valid in a host name; any value stands in for parsing.
  return new URL(config.mapTiles.url.replace(/\{[xyz]\}/g, '0')).origin;
}
