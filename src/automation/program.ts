// A run's steps as the engine follows them: branches flattened into jumps, so a run's place is
// one index (`next_step`) that a step's commit moves, whatever the nesting.
//   [a, branch(if c: [b, c] else: [d]), e]  ->  [a, branch(c, else_at 4), b, c, jump(5), d, e]
import type { Condition } from './conditions.ts';
import type { Action } from './rule-schema.ts';

export type Instruction =
  | Exclude<Action, { type: 'branch' }>
  | { type: 'branch'; if: Condition; else_at: number }
  | { type: 'jump'; to: number };

export function compileSteps(steps: readonly Action[]): Instruction[] {
  const program: Instruction[] = [];
  const emit = (list: readonly Action[]) => {
    for (const step of list) {
      if (step.type !== 'branch') {
        program.push(step);
        continue;
      }
      const branch = { type: 'branch' as const, if: step.if as Condition, else_at: -1 };
      program.push(branch);
      emit(step.then as Action[]);
      if (step.else?.length) {
        const jump = { type: 'jump' as const, to: -1 };
        program.push(jump);
        branch.else_at = program.length;
        emit(step.else as Action[]);
        jump.to = program.length;
      } else branch.else_at = program.length;
    }
  };
  emit(steps);
  return program;
}
