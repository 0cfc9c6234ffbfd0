// The `#next-turn` of runtimes without Node's built-ins (Cloudflare Workers, browsers): a timer of
// zero delay, the one macrotask every runtime has.
import type { NextTurn } from './_next-turn.js';

const nextTurn: NextTurn = () =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, 0);
  });

export default nextTurn;
