"""Loaded by the emulator's Python at start-up: infra/moto.mjs puts this folder on PYTHONPATH."""

import moto_site_atomic_dynamodb  # noqa: F401  conditional writes atomic, as DynamoDB's are
import moto_site_exit_with_starter  # noqa: F401  the emulator ends with the process that started it
