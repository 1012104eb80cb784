import { Metrics as Powertools, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ExpiryFigures, ExpiryGauge } from '../src/lifecycle/expiry-gauge.js';
import type { Logger } from '../src/logger.js';
import { METRICS_NAMESPACE } from '../src/metrics/emf-metrics.js';
import type { PrometheusMetrics } from '../src/metrics/prometheus-metrics.js';

/**
 * The expiry gauge's adapters. The figures are levels, not counts of events, so they are not in the
 * Metrics port (counters and histograms): each runtime reports them its own way, under the same
 * names as the port's metrics.
 */

/**
 * In Lambda: embedded metric format, `CertificatesExpiring` and `CertificatesExpired` in the
 * service's namespace with the `service` dimension (POWERTOOLS_SERVICE_NAME), which the
 * certificates-expiring alarm in infra/deploy/monitoring.yml watches.
 */
export function emfExpiryGauge(env: NodeJS.ProcessEnv = process.env): ExpiryGauge {
  const metrics = new Powertools({
    namespace: METRICS_NAMESPACE,
    serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'iot-provisioning',
  });
  return {
    report(figures: ExpiryFigures) {
      metrics.addMetric('CertificatesExpiring', MetricUnit.Count, figures.expiring);
      metrics.addMetric('CertificatesExpired', MetricUnit.Count, figures.expired);
      metrics.publishStoredMetrics();
    },
  };
}

/**
 * Locally and in the container: Prometheus gauges on GET /metrics with the last tick's figures
 * (none before the first tick), and a log line when they change. Register it once per registry.
 */
export function prometheusExpiryGauge(metrics: PrometheusMetrics, logger: Logger): ExpiryGauge {
  let last: ExpiryFigures | undefined;
  const read = (value: (f: ExpiryFigures) => number) => () =>
    Promise.resolve(last === undefined ? [] : [{ labels: {}, value: value(last) }]);
  metrics.gauge(
    'provisioning_certificates_expiring',
    'Certificates in service whose not-after is within CERT_EXPIRY_WARNING_DAYS (expired ones included)',
    [],
    read((f) => f.expiring),
  );
  metrics.gauge(
    'provisioning_certificates_expired',
    'Certificates in service whose not-after has passed',
    [],
    read((f) => f.expired),
  );
  const logged = loggedExpiryGauge(logger);
  return {
    report(figures: ExpiryFigures) {
      last = figures;
      logged.report(figures);
    },
  };
}

/** A log line when the figures change. */
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
