import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { EmfMetrics } from '../../../src/metrics/emf-metrics.js';

afterEach(() => {
  jest.restoreAllMocks();
});

interface Emf {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [key: string]: unknown;
}

/** The EMF documents `record` writes to stdout (the function's log, in Lambda). */
function written(record: (metrics: EmfMetrics) => void): Emf[] {
  const lines: string[] = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  const metrics = new EmfMetrics({ namespace: 'Test', serviceName: 'svc' });
  record(metrics);
  jest.restoreAllMocks();
  return lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Emf);
}

describe('CloudWatch embedded metric format', () => {
  it('one document per label set, under its labels and under the service alone (for alarms)', () => {
    const docs = written((m) => {
      m.count('devicesProvisioned', { template: 't1', mode: 'none' });
      m.count('devicesProvisioned', { template: 't1', mode: 'none' });
      m.count('devicesFailed', { template: 't1', mode: 'none', code: 'X' });
      m.flush();
    });
    expect(docs).toHaveLength(2);
    expect(docs[0]).toMatchObject({
      service: 'svc',
      template: 't1',
      mode: 'none',
      DevicesProvisioned: [1, 1],
    });
    expect(docs[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([
      ['service', 'template', 'mode'],
      ['service'],
    ]);
    expect(docs[1]).toMatchObject({ code: 'X', DevicesFailed: 1 });
  });

  it('nothing is written before flush, and nothing twice', () => {
    expect(
      written((m) => {
        m.observe('queueWait', { queue: 'requests' }, 1);
      }),
    ).toEqual([]);
    expect(
      written((m) => {
        m.observe('queueWait', { queue: 'requests' }, 1);
        m.flush();
        m.flush();
      }),
    ).toHaveLength(1);
  });

  it('many values of one metric are written in parts, each with its dimensions', () => {
    const docs = written((m) => {
      for (let i = 0; i < 150; i++) m.observe('taskDuration', { template: 't', status: 'SUCCEEDED' }, i);
      m.flush();
    });
    expect(docs.map((d) => (d.TaskDuration as number[]).length)).toEqual([99, 51]);
    for (const d of docs)
      expect(d._aws.CloudWatchMetrics[0]?.Dimensions).toContainEqual(['service', 'template', 'status']);
  });
});
