// Sessions in Redis through unstorage's redis driver, with Tote's cookie name, so a Tote app on
// the same Redis (KeyPrefix "sess:") shares them. Astro serializes these options into the build,
// so the server is reached through a Unix socket whose path is fixed per checkout
// (TOTE_ASTRO_REDIS_SOCKET at build time); the test starts redis-server listening on it.
import { defineConfig, sessionDrivers } from 'astro/config';
import node from '@astrojs/node';

const socket = process.env.TOTE_ASTRO_REDIS_SOCKET;
if (!socket) throw new Error('Set TOTE_ASTRO_REDIS_SOCKET to the Redis Unix socket path.');

export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone' }),
  security: { checkOrigin: false },
  session: {
    driver: sessionDrivers.redis({ path: socket, base: 'sess' }),
    cookie: 'tote-session',
  },
});
