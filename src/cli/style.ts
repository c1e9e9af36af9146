import { Chalk, type ChalkInstance } from 'chalk';

/**
 * Colour only for a person at a terminal that shows it. Off: --no-color, NO_COLOR (any value),
 * FORCE_COLOR=0 or false, TERM=dumb, stdout not a TTY. On anyway: --color, or FORCE_COLOR set to
 * anything else (for screenshots and CI logs that render ANSI).
 */
export function colorWanted(isTTY: boolean, colorFlag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (colorFlag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force === '0' || force === 'false') return false;
  if (colorFlag === true) return true;
  if (force !== undefined && force !== '') return true;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

export function makeStyle(stream: NodeJS.WriteStream, colorFlag: boolean | undefined, env = process.env): ChalkInstance {
  return new Chalk({ level: colorWanted(Boolean(stream.isTTY), colorFlag, env) ? 1 : 0 });
}
