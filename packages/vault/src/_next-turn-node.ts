// The `#next-turn` of Node (and of Bun and Deno): one turn of the event loop through setImmediate,
// which does not wait for the 1 ms minimum of a timer.
import { setImmediate } from 'node:timers/promises';
import type { NextTurn } from './_next-turn.js';

const nextTurn: NextTurn = () => setImmediate();

export default nextTurn;
