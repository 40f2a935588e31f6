import type { APIRoute } from 'astro';

// Adds one item to the cart, reading what is there first (as a shop's "add to cart" does).
export const GET: APIRoute = async ({ session, url }) => {
  const cart = ((await session!.get('cart')) ?? []) as string[];
  cart.push(url.searchParams.get('item') ?? '');
  session!.set('cart', cart);
  return new Response(JSON.stringify(cart), { headers: { 'content-type': 'application/json' } });
};
