import { spawnSync } from 'node:child_process';
import { BIN, ROOT } from './cli.js';

// Drives the CLI through a pseudo-terminal: answers each "[q]uit: " prompt with the next answer.
const PTY_DRIVER = `
import os, pty, sys
answers = sys.argv[1].split(',') if sys.argv[1] else []
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
out = b''
def more():
    global out
    try:
        data = os.read(fd, 4096)
    except OSError:
        return False
    out += data
    return len(data) > 0
asked = 0
while True:
    if asked < len(answers) and out.count(b'[q]uit: ') > asked:
        os.write(fd, (answers[asked] + '\\n').encode())
        asked += 1
        continue
    if not more():
        break
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode('utf8', 'replace'))
sys.exit(os.waitstatus_to_exitcode(status))
`;

export const hasPython = spawnSync('python3', ['-c', 'import pty'], { encoding: 'utf8' }).status === 0;

export function onTerminal(answers: string[], args: string[]) {
  const r = spawnSync('python3', ['-c', PTY_DRIVER, answers.join(','), process.execPath, BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', TRACKIO_DIR: '' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout };
}

