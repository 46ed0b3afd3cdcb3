"""The CRM job runner as a lifespan task of the web app (every worker runs one; the jobs'
database leases decide who works on what, and a dead worker's job is taken over)."""

from __future__ import annotations

import asyncio

from whatsapp_saas.crm.jobs import JobRunner


async def crm_job_runner() -> None:
    runner = JobRunner()
    task = asyncio.create_task(runner.run())
    try:
        await asyncio.Event().wait()
    finally:
        runner.stop()
        await asyncio.gather(task, return_exceptions=True)
