// How a Rollout refers to analysis: templates, args and the per-run options. The
// AnalysisTemplate and AnalysisRun kinds themselves live in analysis.ts (analysis issue).
import { z } from 'zod';
import { podTemplateMetadata } from './common.ts';

export const argument = z.looseObject({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z
    .looseObject({
      podTemplateHashValue: z.enum(['Stable', 'Latest']).optional(),
      fieldRef: z.looseObject({ fieldPath: z.string() }).optional(),
      secretKeyRef: z.looseObject({ name: z.string(), key: z.string() }).optional(),
    })
    .optional(),
});
export type Argument = z.infer<typeof argument>;

export const analysisTemplateRef = z.looseObject({
  templateName: z.string().optional(),
  clusterScope: z.boolean().optional(),
});

export const rolloutAnalysis = z.looseObject({
  templates: z.array(analysisTemplateRef).optional(),
  /** Pre-1.0 manifests (e.g. the rollouts-demo) still write a single templateName. */
  templateName: z.string().optional(),
  args: z.array(argument).optional(),
  dryRun: z.array(z.looseObject({ metricName: z.string() })).optional(),
  measurementRetention: z
    .array(z.looseObject({ metricName: z.string(), limit: z.number().int() }))
    .optional(),
  analysisRunMetadata: podTemplateMetadata.optional(),
});
export type RolloutAnalysis = z.infer<typeof rolloutAnalysis>;

export const rolloutAnalysisBackground = rolloutAnalysis.extend({
  startingStep: z.number().int().optional(),
});
export type RolloutAnalysisBackground = z.infer<typeof rolloutAnalysisBackground>;

export const runStatus = z.looseObject({
  name: z.string(),
  status: z.string(),
  message: z.string().optional(),
});
export type RunStatus = z.infer<typeof runStatus>;
