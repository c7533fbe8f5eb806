import { setPriority } from 'node:os';

/**
 * Called inside a worker thread: lowers that thread's scheduling priority, so
 * on a busy machine the threads that serve requests get the CPU first. On
 * Linux a nice value belongs to the calling thread, not the whole process
 * (setpriority(2), "Bugs"); elsewhere this may lower the process or fail,
 * and failing only costs the priority.
 */
export function lowerThreadPriority(niceness = 5): void {
  if (process.platform !== 'linux') return;
  try {
    setPriority(niceness);
  } catch {
    // Not permitted here: the work still runs, at normal priority.
  }
}
