export interface MallFleet {
  /** Index of its first mall. */
  offset: number;
  count: number;
}

/**
 * Malls spread over at most `processes` processes, as separate mall services
 * would be, so one process does not serialise every mall's parsing.
 */
export function planMallFleets(mallCount: number, processes: number): MallFleet[] {
  const fleets = Math.min(processes, mallCount);
  const perFleet = Math.ceil(mallCount / fleets);
  return Array.from({ length: fleets }, (_, f) => ({ offset: f * perFleet, count: Math.min(perFleet, mallCount - f * perFleet) })).filter(
    (fleet) => fleet.count > 0,
  );
}
