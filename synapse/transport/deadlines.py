"""Running an action at a deadline, from one daemon thread per process.

The transport uses it to cut the socket of an answer that outlived its total timeout (a socket
timeout bounds each read, not the whole answer: a server that sends one byte of its status line
every second never trips a 30 s read timeout; the blocked read returns once the socket is shut
down). The object model uses it to bound how long a walk may keep the garbage collector paused.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import threading
import time
from collections.abc import Callable


class Alarm:
    """One armed deadline; :meth:`Watchdog.disarm` it when the guarded work is done."""

    __slots__ = ("action", "deadline", "order")

    def __init__(self, deadline: float, order: int, action: Callable[[], None]) -> None:
        self.deadline = deadline
        self.order = order
        self.action: Callable[[], None] | None = action

    def __lt__(self, other: Alarm) -> bool:
        return (self.deadline, self.order) < (other.deadline, other.order)


class Watchdog:
    """Runs each armed action once its deadline (a ``time.monotonic()`` value) has passed."""

    def __init__(self) -> None:
        self._wake = threading.Condition()
        self._alarms: list[Alarm] = []
        self._disarmed = 0
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, deadline: float, action: Callable[[], None]) -> Alarm:
        alarm = Alarm(deadline, next(self._order), action)
        with self._wake:
            heapq.heappush(self._alarms, alarm)
            if self._thread is None or not self._thread.is_alive():  # also after a fork
                self._thread = threading.Thread(target=self._run, name="synapse-deadlines", daemon=True)
                self._thread.start()
            self._wake.notify()
        return alarm

    def disarm(self, alarm: Alarm) -> None:
        """After this returns the action will not run (it runs under the same lock)."""
        with self._wake:
            if alarm.action is None:
                return
            alarm.action = None
            self._disarmed += 1
            if self._disarmed > 256 and self._disarmed * 2 > len(self._alarms):
                self._alarms = [a for a in self._alarms if a.action is not None]
                heapq.heapify(self._alarms)
                self._disarmed = 0

    def _run(self) -> None:
        with self._wake:
            while True:
                while self._alarms and self._alarms[0].action is None:
                    heapq.heappop(self._alarms)
                    self._disarmed = max(0, self._disarmed - 1)
                if not self._alarms:
                    self._wake.wait()
                    continue
                wait = self._alarms[0].deadline - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                alarm = heapq.heappop(self._alarms)
                action, alarm.action = alarm.action, None
                if action is not None:
                    with contextlib.suppress(OSError):  # a socket already closed needs no cutting
                        action()


WATCHDOG = Watchdog()
