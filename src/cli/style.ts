import { Chalk, type ChalkInstance } from 'chalk';

/**
 * Colour only for a person at a terminal: off for NO_COLOR, --no-color and when stdout is not a
 * TTY; FORCE_COLOR turns it on anyway (for screenshots and CI logs that render ANSI).
 */
export function makeStyle(stream: NodeJS.WriteStream, colorFlag: boolean | undefined, env = process.env): ChalkInstance {
  let on: boolean;
  if (colorFlag === false || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) on = false;
  else if (colorFlag === true || (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0')) on = true;
  else on = Boolean(stream.isTTY);
  return new Chalk({ level: on ? 1 : 0 });
}
