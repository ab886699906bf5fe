import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Scores chosen on the dev split (training/calibration.py; numbers and their dev rates in MODEL_CARD.md). */
export interface OperatingPoints {
  /** A customer line's threat score from here up is a clear threat. */
  threatAlert: number;
  /** Threat scores from here up to threatAlert are ambiguous menace: ask what the caller means. */
  askMeaning: number;
  /** A line labelled abusive counts as abuse from this abusive score up. */
  abusive: number;
}

export interface Calibration {
  /** The final logits are divided by this before the softmax (temperature scaling, fitted on dev). */
  temperature: number;
  operatingPoints: OperatingPoints;
}

interface CalibrationFile {
  temperature?: unknown;
  operating_points?: { threat_alert?: unknown; ask_meaning?: unknown; abusive?: unknown };
}

const isScore = (value: unknown): value is number => typeof value === 'number' && value >= 0 && value <= 1;

/** Reads `calibration.json` from the model folder, which training/train.py writes beside the graphs. */
export function readCalibration(modelDir: string): Calibration {
  const path = join(modelDir, 'calibration.json');
  const raw = JSON.parse(readFileSync(path, 'utf8')) as CalibrationFile;
  const points = raw.operating_points ?? {};
  if (
    typeof raw.temperature !== 'number' ||
    !(raw.temperature > 0) ||
    !isScore(points.threat_alert) ||
    !isScore(points.ask_meaning) ||
    !isScore(points.abusive)
  ) {
    throw new Error(
      `${path}: expected a positive temperature and operating_points threat_alert, ask_meaning and abusive between 0 and 1`,
    );
  }
  return {
    temperature: raw.temperature,
    operatingPoints: { threatAlert: points.threat_alert, askMeaning: points.ask_meaning, abusive: points.abusive },
  };
}

/** softmax(logits / temperature). */
export function calibratedProbabilities(logits: Float32Array, temperature: number): number[] {
  const scaled = Array.from(logits, (logit) => logit / temperature);
  const top = Math.max(...scaled);
  const exps = scaled.map((value) => Math.exp(value - top));
  const total = exps.reduce((sum, value) => sum + value, 0);
  return exps.map((value) => value / total);
}
