import { readdir } from 'node:fs/promises';
import { projectLiveness } from './isProjectLive.js';

/** The projects of a trackio-sqlite data dir a writer holds right now, with why; none for other layouts. */
export async function liveProjectsIn(dataDir: string): Promise<Array<{ project: string; reasons: string[] }>> {
  const names = await readdir(dataDir).catch(() => [] as string[]);
  const projects = names.filter((n) => n.endsWith('.db')).map((n) => n.slice(0, -3));
  if (projects.length === 0) return [];
  const liveness = await projectLiveness(dataDir, projects);
  return projects.filter((p) => liveness.get(p)!.live).map((p) => ({ project: p, reasons: liveness.get(p)!.reasons }));
}
