"""The job worker, supervised so that it outlives the database.

procrastinate's worker stops for good when one of its side tasks (the
LISTEN connection, the heartbeat) loses the database, and raises when a
fetch fails. The supervisor runs it again with a fresh connection pool,
waiting 1, 2, 4 ... WORKER_MAX_BACKOFF_SECONDS between attempts, until a
signal (SIGINT, SIGTERM, SIGHUP) asks it to stop. Before each start it
puts back the jobs of workers whose heartbeat is stale, so a job held by a
worker that died (kill -9, a lost machine) runs again instead of staying
`doing` for ever.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from typing import Any

from django.conf import settings
from procrastinate import worker as procrastinate_worker
from procrastinate.contrib.django import app

logger = logging.getLogger("leadsys.worker")

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# A worker that ran this long was healthy: the next failure starts the backoff from 1 s again.
HEALTHY_RUN_SECONDS = 60.0


async def stalled_jobs_retry(target: Any) -> list[int]:
    """Put the jobs of workers with a stale heartbeat (or none) back to `todo`; return their ids.

    Safe to run twice or from two workers at once: a job is retried only while
    it is `doing`, and every task skips work already done.
    """
    stalled = await target.job_manager.get_stalled_jobs(seconds_since_heartbeat=settings.WORKER_STALLED_SECONDS)
    retried = []
    for job in stalled:
        try:
            await target.job_manager.retry_job(job)
        except Exception:  # another recoverer took it first: it is no longer `doing`
            logger.info("stalled job %s was already put back", job.id)
            continue
        retried.append(job.id)
    if retried:
        logger.warning("put back %d stalled job(s): %s", len(retried), retried)
    return retried


class Supervisor:
    def __init__(self, *, queues: list[str] | None = None, concurrency: int = 1) -> None:
        self.queues = queues
        self.concurrency = concurrency
        self.stopping = False
        self._stop_event: asyncio.Event | None = None
        self._worker: procrastinate_worker.Worker | None = None

    def stop(self) -> None:
        self.stopping = True
        if self._stop_event is not None:
            self._stop_event.set()
        if self._worker is not None:
            self._worker.stop()

    async def run(self) -> None:
        self._stop_event = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, self.stop)
        app.perform_import_paths()  # every task module, before the first job is fetched
        backoff = 1.0
        try:
            while not self.stopping:
                started = time.monotonic()
                try:
                    await self._run_once()
                except Exception as exc:  # a lost database, a failed pool open: try again
                    cause = exc.__cause__ or exc
                    logger.warning("worker stopped by %s: %s", cause.__class__.__name__, str(cause).strip())
                if self.stopping:
                    break
                if time.monotonic() - started > HEALTHY_RUN_SECONDS:
                    backoff = 1.0
                logger.warning("restarting the worker in %.0f s", backoff)
                try:
                    await asyncio.wait_for(self._stop_event.wait(), timeout=backoff)
                except TimeoutError:
                    pass
                backoff = min(backoff * 2, float(settings.WORKER_MAX_BACKOFF_SECONDS))
        finally:
            for sig in STOP_SIGNALS:
                loop.remove_signal_handler(sig)

    async def _run_once(self) -> None:
        # A new connector (so a new pool) each time: the old pool's connections died with the database.
        connector = app.connector.get_worker_connector()
        with app.replace_connector(connector) as worker_app:
            async with worker_app.open_async():
                await stalled_jobs_retry(worker_app)
                options: dict[str, Any] = {
                    **worker_app.worker_defaults,
                    "queues": self.queues,
                    "concurrency": self.concurrency,
                    "install_signal_handlers": False,
                    "update_heartbeat_interval": settings.WORKER_HEARTBEAT_SECONDS,
                    "stalled_worker_timeout": settings.WORKER_STALLED_SECONDS,
                    "shutdown_graceful_timeout": settings.WORKER_SHUTDOWN_SECONDS,
                }
                self._worker = procrastinate_worker.Worker(app=worker_app, **options)
                if self.stopping:
                    return
                try:
                    await self._worker.run()
                finally:
                    self._worker = None
        if not self.stopping:
            # run() returned without being asked to: a side task failed and stopped it.
            raise ConnectionError("the worker stopped by itself (a side task lost the database)")
