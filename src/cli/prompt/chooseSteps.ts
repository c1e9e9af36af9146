import { LineAsker } from './askLine.js';

/** e2fsck's answers: yes to this fix, no, yes to this and all the rest, quit (change nothing). */
export type Answer = 'yes' | 'no' | 'all' | 'quit';

export function parseAnswer(text: string | undefined): Answer | undefined {
  if (text === undefined) return 'quit'; // end of input: nobody is there to answer, so nothing is changed
  const t = text.trim().toLowerCase();
  if (t === 'y' || t === 'yes') return 'yes';
  if (t === 'n' || t === 'no') return 'no';
  if (t === 'a' || t === 'all') return 'all';
  if (t === 'q' || t === 'quit') return 'quit';
  return undefined;
}

/**
 * Asks fix by fix and returns the ids the person accepted, or 'cancel' when they quit: answers are
 * collected first and applied together after, so quitting at any question changes nothing.
 * `ask` returns the raw reply (undefined at end of input); an unknown reply asks again.
 */
export async function chooseSteps<S extends { id: number }>(steps: S[], ask: (step: S, index: number, total: number) => Promise<string | undefined>): Promise<number[] | 'cancel'> {
  const chosen: number[] = [];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    let answer: Answer | undefined;
    while (!answer) answer = parseAnswer(await ask(step, i, steps.length));
    if (answer === 'quit') return 'cancel';
    if (answer === 'yes') chosen.push(step.id);
    if (answer === 'all') {
      chosen.push(...steps.slice(i).map((s) => s.id));
      break;
    }
  }
  return chosen;
}

/**
 * The engine's question on a terminal, for repair and merge alike: finish an interrupted run
 * (`finish`, a yes/no question), or which planned steps to apply, one at a time (`noun` names a
 * step in the question: "Fix 2/5?", "Step 2/5?").
 */
export async function askChoice<S extends { id: number }>(
  choice: { type: 'resume' } | { type: 'steps'; steps: S[] },
  words: { finish: string; noun: string },
  render: (step: S) => string,
  say: (text?: string) => void,
): Promise<number[] | 'cancel'> {
  const asker = new LineAsker();
  try {
    if (choice.type === 'resume') return await chooseSteps([{ id: 1 }], () => asker.ask(`${words.finish} [y]es [n]o [q]uit: `));
    say('');
    return await chooseSteps(choice.steps, (s, i, n) => asker.ask(`${render(s)}\n  ${words.noun} ${i + 1}/${n}? [y]es [n]o [a]ll [q]uit: `));
  } finally {
    asker.close();
  }
}
