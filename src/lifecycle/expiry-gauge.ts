/**
 * Where the lifecycle tick reports what expires: a gauge, set once a tick. A minimal port of its
 * own until the service has a metrics port; its adapters are in the runtimes (workers/).
 */
export interface ExpiryFigures {
  /** Certificates in service whose not-after is within the warning window (expired ones included). */
  expiring: number;
  /** Those of them already expired. */
  expired: number;
  warningDays: number;
  /** When they were counted (ISO). */
  at: string;
}

export interface ExpiryGauge {
  report(figures: ExpiryFigures): void;
}
