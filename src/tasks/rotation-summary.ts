import Type from 'typebox';
import { RETIREMENT_STATUSES } from './rotation.js';

/** `rotation` in a finished rotation's task (src/tasks/rotation.ts's RotationOutcome). */
export const RotationSummary = Type.Object(
  {
    replacedCertificateId: Type.String(),
    retirement: Type.Object(
      {
        status: Type.Enum([...RETIREMENT_STATUSES], {
          description:
            'KEPT: retireOldCertificate "never"; BLOCKED: a retirement rule refused it (code, reason)',
        }),
        retireAt: Type.Optional(Type.String({ format: 'date-time' })),
        retiredAt: Type.Optional(Type.String({ format: 'date-time' })),
        deleteAt: Type.Optional(Type.String({ format: 'date-time' })),
        code: Type.Optional(Type.String()),
        reason: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, description: 'A rotation: the certificate it replaced and its retirement' },
);
