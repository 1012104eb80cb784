"""DynamoDB applies a conditional write atomically: of two writes racing on one item, at most one
finds its condition true. moto's server answers requests on many threads, and checks a condition
and then writes, so two racing conditional writes can both succeed (measured: both of two
concurrent `attempts = :seen` updates of one item succeeded in 6 rounds of 30). Then two workers
both claim one task, or a bulk chunk's tally is added twice. The service's exactly-once design
rests on DynamoDB's atomicity, so the emulator serves its DynamoDB requests one at a time.
"""

import threading

try:
    from moto.dynamodb.responses import DynamoHandler
except ImportError:  # a Python that is not running moto
    DynamoHandler = None

if DynamoHandler is not None:
    _lock = threading.Lock()
    _call_action = DynamoHandler.call_action

    def _one_at_a_time(self):
        with _lock:
            return _call_action(self)

    DynamoHandler.call_action = _one_at_a_time
