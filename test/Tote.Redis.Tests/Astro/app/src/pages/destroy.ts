import type { APIRoute } from 'astro';

export const GET: APIRoute = async ({ session }) => {
  session!.destroy();
  return new Response('ok');
};
