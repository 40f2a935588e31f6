import type { APIRoute } from 'astro';

// Writes a cart and one value of each type devalue carries beyond JSON.
export const GET: APIRoute = async ({ session, url }) => {
  const cart = (url.searchParams.get('cart') ?? '').split(',').filter(Boolean);
  session!.set('cart', cart);
  session!.set('when', new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)));
  session!.set('tags', new Set(['fast', 'shared']));
  session!.set('prices', new Map([[1, 'one'], [2, 'two']]));
  session!.set('home', new URL('https://shop.example/cart?from=astro'));
  return new Response('ok');
};
