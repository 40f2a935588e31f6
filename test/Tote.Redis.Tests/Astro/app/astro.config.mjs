// Sessions in Redis through unstorage's redis driver, with Tote's cookie name, so a Tote app on
// the same Redis (KeyPrefix "sess:") shares them. Astro serializes these options into the build,
// so the Redis address is read at build time (TOTE_ASTRO_REDIS_URL, such as redis://127.0.0.1:6379).
import { defineConfig, sessionDrivers } from 'astro/config';
import node from '@astrojs/node';

const url = process.env.TOTE_ASTRO_REDIS_URL;
if (!url) throw new Error('Set TOTE_ASTRO_REDIS_URL to the Redis address, such as redis://127.0.0.1:6379.');

export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone' }),
  security: { checkOrigin: false },
  session: {
    driver: sessionDrivers.redis({ url, base: 'sess' }),
    cookie: 'tote-session',
  },
});
