import { COMMANDS, describeOf, optionsOf, positionalsOf, type CommandName, type OptionSpec } from './options.js';

/** `-v`, `--verbose` / `--live-window S`: how the README writes an option. */
function flagText(name: string, spec: OptionSpec): string {
  const long = `\`--${name}${spec.value ? ` ${spec.value}` : ''}\``;
  return spec.alias ? `\`-${spec.alias}\`, ${long}` : long;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The README table of one command's options ('global': the options every command takes). */
export function renderOptionTable(which: CommandName | 'global'): string {
  const rows: string[] = ['| option | meaning | default |', '| --- | --- | --- |'];
  if (which === 'global') {
    for (const [name, spec] of optionsOf('check', { global: true })) rows.push(`| ${flagText(name, spec)} | ${cell(spec.describe)} | ${spec.default === undefined ? '' : `\`${spec.default}\``} |`);
    rows.push('| `-h`, `--help` | the command\'s usage and options | |');
    return rows.join('\n');
  }
  for (const [, p] of positionalsOf(which)) rows.push(`| \`${p.value}\`${p.required ? '' : ' (optional)'} | ${cell(describeOf(p, which))} | |`);
  for (const [name, spec] of optionsOf(which)) {
    const required = spec.requiredFor?.includes(which) ? 'required' : spec.default === undefined ? '' : `\`${spec.default}\``;
    rows.push(`| ${flagText(name, spec)} | ${cell(describeOf(spec, which))} | ${required} |`);
  }
  return rows.join('\n');
}

const BLOCK = /<!-- options:([a-z -]+) -->\n[\s\S]*?<!-- \/options:\1 -->/g;

/**
 * The README with every `<!-- options:COMMAND -->` ... `<!-- /options:COMMAND -->` block made
 * again from the table. `npm run docs:options` writes it; a test fails when the README differs.
 */
export function fillOptionBlocks(readme: string): string {
  return readme.replace(BLOCK, (_, which: string) => {
    if (which !== 'global' && !(COMMANDS as readonly string[]).includes(which)) throw new Error(`README names an unknown command in <!-- options:${which} -->`);
    return `<!-- options:${which} -->\n${renderOptionTable(which as CommandName | 'global')}\n<!-- /options:${which} -->`;
  });
}
