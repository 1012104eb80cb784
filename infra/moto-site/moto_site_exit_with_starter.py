"""The emulator ends with the process that started it (infra/moto.mjs names it), however that
process ends: a SIGKILL (a killed test run) runs none of its exit handlers, and the emulator would
run on. Polled, because Linux's parent-death signal is not portable and a wrapper may sit in between.
"""

import os
import threading
import time

_starter = os.environ.get("MOTO_STARTED_BY_PID", "")


def _starter_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, and another user's
        pass
    return True


def _exit_with_starter(pid):
    while _starter_alive(pid):
        time.sleep(1)
    os._exit(0)


if _starter.isdigit():
    threading.Thread(
        target=_exit_with_starter, args=(int(_starter),), name="exit-with-starter", daemon=True
    ).start()
