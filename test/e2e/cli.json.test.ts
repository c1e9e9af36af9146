import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { damage, makeDataDir, runId } from '../../fixtures/build/dataDir.mjs';
import { makeDivergentTrackioDirs } from '../../fixtures/build/divergentDirs.mjs';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';
import { gitOk } from '../helpers/git.js';

// Every schema a --json document is checked against: the report, and schemas/json/ (one per command).
const ajv = new Ajv.default({ allErrors: true, strict: false });
addFormats.default(ajv);
ajv.addSchema(JSON.parse(readFileSync(join(ROOT, 'schemas', 'report.schema.json'), 'utf8')));
const jsonDir = join(ROOT, 'schemas', 'json');
for (const f of readdirSync(jsonDir)) ajv.addSchema(JSON.parse(readFileSync(join(jsonDir, f), 'utf8')));
const schemaOf = (file: string) => ajv.getSchema(`https://trackio-fsck.dev/schemas/json/${file}`)!;

/** Runs a command with --json: stdout is one document in the envelope, valid against its schema. */
function json(args: string[], schema: string, opts: { cwd?: string } = {}) {
  const r = runCli([...args, '--json'], opts);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`${args.join(' ')}: stdout is not one JSON document:\n${r.stdout}\n${r.stderr}`);
  }
  const validate = schemaOf(schema);
  expect(validate(doc), `${args.join(' ')} against ${schema}: ${JSON.stringify(validate.errors)}`).toBe(true);
  expect(Object.keys(doc).slice(0, 4)).toEqual(['tool', 'version', 'command', 'exitCode']);
  expect(doc.exitCode, `${args.join(' ')}: the envelope's exitCode is the process's`).toBe(r.code);
  return { ...r, doc };
}

describe('--json: every command prints one envelope, valid against its schema', () => {
  it('check, manifest, repair, recover, undo, backup, backups, restore, du: a whole life', () => {
    const root = tempDir();
    const dataDir = makeDataDir(root, { runs: 3, steps: 6 });
    const dest = join(root, 'backups');
    const lw = ['--live-window', '0'];

    expect(json(['manifest', 'write', dataDir, ...lw], 'manifest-write.schema.json').doc.command).toBe('manifest write');
    expect(json(['backup', dataDir, '--dest', dest], 'backup.schema.json').code).toBe(0);
    damage.truncateMidLine(dataDir, runId(0));
    const check = json(['check', dataDir, ...lw], 'check.schema.json');
    expect(check.code).toBe(4);
    // Fields users' scripts read stay at the top level.
    expect((check.doc.summary as { errors: number }).errors).toBeGreaterThan(0);
    expect(check.doc).toHaveProperty('findings');
    expect(check.doc).toHaveProperty('dataDir');
    expect(json(['manifest', 'verify', dataDir], 'manifest-verify.schema.json').doc.command).toBe('manifest verify');
    expect(json(['repair', '-n', dataDir, ...lw], 'repair.schema.json').code).toBe(4);
    expect([1, 4]).toContain(json(['recover', dataDir, ...lw], 'recover.schema.json').code);
    expect(json(['undo', dataDir], 'undo.schema.json').code).toBe(0);
    expect(json(['du', dataDir, '--dest', dest], 'du.schema.json').code).toBe(0);
    expect(json(['compare', dataDir, dataDir], 'compare.schema.json').code).toBe(0);
    const list = json(['backups', 'list', '--dest', dest], 'backups-list.schema.json');
    const name = (list.doc.snapshots as Array<{ name: string }>)[0]!.name;
    expect(json(['backups', 'verify', '--dest', dest], 'backups-verify.schema.json').code).toBe(0);
    expect(json(['backups', 'prune', '--keep', '1', '-n', '--dest', dest], 'backups-prune.schema.json').code).toBe(0);
    expect(json(['restore', name, dataDir, '--dest', dest, '--yes'], 'restore.schema.json').code).toBe(0);
  });

  it('merge: the dry run, the merge, and a failure', () => {
    const { a: local, b: offsite } = makeDivergentTrackioDirs(tempDir());
    expect(json(['merge', '-n', local, offsite], 'merge.schema.json').code).toBe(4);
    const merged = json(['merge', '-y', local, offsite], 'merge.schema.json');
    expect(merged.doc).toMatchObject({ outcome: 'applied', after: { bringing: 0 } });
    expect(json(['merge', '-y', join(tempDir(), 'nope'), offsite], 'error.schema.json').code).toBe(8);
  });

  it('hook run, install, uninstall', () => {
    const repo = tempDir();
    gitOk(repo, ['init', '-q']);
    const dataDir = makeDataDir(repo, { runs: 1, steps: 4 });
    damage.truncateMidLine(dataDir, runId(0));
    const staged = join('.trackio', 'runs', runId(0), 'metrics.jsonl');
    expect(json(['hook', 'run', '--live-window', '0', staged], 'hook-run.schema.json', { cwd: repo }).code).toBe(4);
    expect(json(['hook', 'install'], 'hook-install.schema.json', { cwd: repo }).doc.action).toBe('installed');
    expect(json(['hook', 'uninstall'], 'hook-uninstall.schema.json', { cwd: repo }).doc.action).toBe('removed');
  });

  it('a failure under --json is JSON too: exit 8 (operational) and 16 (usage), with the message as `error`', () => {
    const cwd = tempDir();
    const missing = json(['check', join(cwd, 'nowhere')], 'error.schema.json', { cwd });
    expect(missing.code).toBe(8);
    expect(missing.doc.error).toContain('no such directory');
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    for (const args of [['repair', '-n', '--live-window', 'abc'], ['backups', 'list', '--dest'], ['chek', 'x'], ['du', '--jsno']]) {
      const bad = json(args, 'error.schema.json', { cwd });
      expect(bad.code, args.join(' ')).toBe(16);
      expect(bad.doc.command).toBe(args[0] === 'backups' ? 'backups list' : args[0]);
    }
  });
});
