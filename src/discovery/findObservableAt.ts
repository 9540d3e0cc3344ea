import { rangeContains } from './ranges';
import type { Discovery, ExperimentDecl, ObservableDecl } from './types';

/** An observable with the experiment that declares it. */
export interface ObservableAt {
  experiment: ExperimentDecl;
  observable: ObservableDecl;
}

/**
 * The observable whose name contains the zero-based position (`line`, `character`), both ends of the name
 * included, as a hover asks for it; undefined when the position is on no observable's name.
 */
export function findObservableAt(
  discovery: Discovery,
  line: number,
  character: number,
): ObservableAt | undefined {
  for (const experiment of discovery.experiments) {
    const observable = experiment.observables.find((o) => rangeContains(o.nameRange, { line, character }));
    if (observable) return { experiment, observable };
  }
  return undefined;
}
