/**
 * Leave-one-out cross-validation over questions: how a rule-choosing procedure ("take the setting that scores
 * best on the questions we have") does on a question it did not see. Each question is held out in turn, the
 * setting that scores best on all the others is chosen, and it is scored on the held-out one. The mean of those
 * scores estimates how the procedure generalises; how often each setting is chosen shows how stable the
 * choice is. A setting that wins only when one particular question is in the set is fitted to that question.
 */
export interface CrossValidation<Setting> {
  /** Mean held-out score. */
  heldOut: number;
  /** Mean score of the best setting on all questions at once (what fitting the whole set would claim). */
  fitted: number;
  /** The setting that scores best on all questions. */
  best: Setting;
  /** How many held-out rounds chose each setting. */
  chosen: Map<Setting, number>;
}

/**
 * `score(setting, question)` is the score of one question (0–1, or any weight the caller gives it) under one
 * setting. Ties go to the earlier setting, so list the simplest or current one first.
 */
export function leaveOneOut<Setting>(
  settings: Setting[],
  questionCount: number,
  score: (setting: Setting, question: number) => number,
): CrossValidation<Setting> {
  if (settings.length === 0 || questionCount === 0) throw new Error('Cross-validation needs settings and questions');
  const table = settings.map((setting) => Array.from({ length: questionCount }, (_, q) => score(setting, q)));
  const totals = table.map((row) => row.reduce((sum, value) => sum + value, 0));
  const argBest = (value: (row: number) => number) =>
    totals.reduce((best, _total, row) => (value(row) > value(best) + 1e-12 ? row : best), 0);
  const chosen = new Map<Setting, number>();
  let heldOut = 0;
  for (let q = 0; q < questionCount; q++) {
    const row = argBest((r) => (totals[r] ?? 0) - (table[r]?.[q] ?? 0));
    const setting = settings[row] as Setting;
    chosen.set(setting, (chosen.get(setting) ?? 0) + 1);
    heldOut += table[row]?.[q] ?? 0;
  }
  const bestRow = argBest((r) => totals[r] ?? 0);
  return {
    heldOut: heldOut / questionCount,
    fitted: (totals[bestRow] ?? 0) / questionCount,
    best: settings[bestRow] as Setting,
    chosen,
  };
}
