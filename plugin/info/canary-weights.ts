// Strategy, Step, SetWeight and ActualWeight (../shared/spec/cli-dashboard-ops.md §2.1.2).
// SetWeight is what the steps ask for; ActualWeight is what is observed, from available canary
// pods (basic canary) or from the weights the traffic router reported.
import type { CanaryStep, CanaryStrategy, RolloutStatus } from '../../src/api/rollout.ts';
import {
  currentStep,
  maxTrafficWeight,
  setWeightAtOrBefore,
} from '../../src/rollout/canary-weight.ts';
import { arr, bool, int, obj } from './kube.ts';
import type { ReplicaSetInfo } from './types.ts';

export interface StrategyInfo {
  strategy: string;
  step: string;
  setWeight: string;
  actualWeight: string;
  steps?: CanaryStep[];
}

export function strategyInfo(
  spec: Record<string, unknown>,
  status: Record<string, unknown>,
  replicaSets: readonly ReplicaSetInfo[],
): StrategyInfo {
  const strategy = obj(spec.strategy);
  if (strategy.canary === undefined || strategy.canary === null) {
    const blueGreen = strategy.blueGreen !== undefined && strategy.blueGreen !== null;
    return { strategy: blueGreen ? 'BlueGreen' : '', step: '', setWeight: '', actualWeight: '' };
  }
  const canary = obj(strategy.canary) as CanaryStrategy;
  const steps = arr(canary.steps) as CanaryStep[];
  const index = status.currentStepIndex;
  const out: StrategyInfo = { strategy: 'Canary', step: '', setWeight: '', actualWeight: '0' };
  if (typeof index === 'number' && steps.length > 0) {
    out.step = `${int(index)}/${steps.length}`;
    out.steps = steps;
  }

  const stepStatus = { currentStepIndex: typeof index === 'number' ? int(index) : undefined };
  const current = currentStep(steps, stepStatus);
  const maxWeight = maxTrafficWeight(canary);
  let setWeight: number;
  if (bool(status.abort)) setWeight = 0;
  else if (current?.step === undefined) setWeight = maxWeight;
  else setWeight = setWeightAtOrBefore(steps, current.index);
  out.setWeight = String(setWeight);

  const available = int(status.availableReplicas);
  if (current?.step === undefined) {
    out.actualWeight = String(maxWeight);
  } else if (available > 0) {
    if (canary.trafficRouting === undefined || canary.trafficRouting === null) {
      for (const rs of replicaSets) {
        if (rs.canary)
          out.actualWeight = String(Math.floor((rs.available * maxWeight) / available));
      }
    } else {
      const weights = (obj(status.canary) as NonNullable<RolloutStatus['canary']>).weights;
      out.actualWeight = weights ? String(int(obj(weights.canary).weight)) : out.setWeight;
    }
  }
  return out;
}
