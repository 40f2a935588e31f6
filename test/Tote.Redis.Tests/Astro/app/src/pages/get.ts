import type { APIRoute } from 'astro';

// Reports what the session holds, with the JavaScript type of each value.
export const GET: APIRoute = async ({ session }) => {
  const s = session!;
  const [cart, when, tags, prices, home, lastVisit] = await Promise.all(
    ['cart', 'when', 'tags', 'prices', 'home', 'lastVisit'].map((k) => s.get(k)));
  const report = {
    id: s.sessionID ?? null,
    cart: cart ?? null,
    when: when instanceof Date ? when.toISOString() : `not a Date: ${typeof when}`,
    tags: tags instanceof Set ? [...tags] : `not a Set: ${typeof tags}`,
    prices: prices instanceof Map ? [...prices] : `not a Map: ${typeof prices}`,
    home: home instanceof URL ? home.href : `not a URL: ${typeof home}`,
    lastVisit: lastVisit === undefined ? null : lastVisit instanceof Date ? 'Date' : `not a Date: ${typeof lastVisit}`,
  };
  return new Response(JSON.stringify(report), { headers: { 'content-type': 'application/json' } });
};
