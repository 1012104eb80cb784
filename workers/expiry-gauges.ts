import type { Logger } from '../src/logger.js';
import type { ExpiryFigures, ExpiryGauge } from '../src/lifecycle/expiry-gauge.js';

/**
 * The expiry gauge's adapters. In Lambda, CloudWatch's embedded metric format: one JSON line on
 * stdout, which CloudWatch Logs turns into the metrics `CertificatesExpiring` and
 * `CertificatesExpired` (namespace METRICS_NAMESPACE, no dimensions) that the alarm in
 * infra/deploy/certificate-lifecycle.yml watches. Locally and in the container, a log line when
 * the figures change.
 */
export function emfExpiryGauge(
  namespace: string,
  write: (line: string) => void = (line) => process.stdout.write(line),
): ExpiryGauge {
  return {
    report(figures: ExpiryFigures) {
      const line = {
        _aws: {
          Timestamp: Date.parse(figures.at),
          CloudWatchMetrics: [
            {
              Namespace: namespace,
              Dimensions: [[]],
              Metrics: [
                { Name: 'CertificatesExpiring', Unit: 'Count' },
                { Name: 'CertificatesExpired', Unit: 'Count' },
              ],
            },
          ],
        },
        CertificatesExpiring: figures.expiring,
        CertificatesExpired: figures.expired,
        warningDays: figures.warningDays,
      };
      write(`${JSON.stringify(line)}\n`);
    },
  };
}

export function loggedExpiryGauge(logger: Logger): ExpiryGauge {
  let last = '';
  return {
    report(figures: ExpiryFigures) {
      const now = `${figures.expiring}/${figures.expired}/${figures.warningDays}`;
      if (now === last) return;
      last = now;
      logger.info('certificate expiry', {
        expiring: figures.expiring,
        expired: figures.expired,
        warningDays: figures.warningDays,
      });
    },
  };
}
