"""`flask worker`: run background jobs from the RQ queue, with this app's settings."""
import click
from flask import Flask, current_app


def register(app: Flask) -> None:
    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
    @click.option("--name", default=None, help="A name for this worker (defaults to host and pid).")
    def worker(burst: bool, name: str | None):
        """Run an RQ worker for this app's queue (needs REDIS_URL). Start several for more throughput."""
        from rq import Worker

        from webapp.jobs import rq_queue, worker_starting

        url = current_app.config.get("REDIS_URL")
        if not url:
            raise click.ClickException(
                "REDIS_URL is not set: jobs run inside the web process. Set FLASK_REDIS_URL to use workers."
            )
        queue = rq_queue(current_app)
        click.echo(f"Worker listening on queue '{queue.name}' at {url}")
        worker_starting.send(current_app._get_current_object())  # mail/ sends what waited meanwhile
        # The scheduler starts retries booked for later (queue.enqueue_in).
        Worker([queue], connection=queue.connection, name=name).work(burst=burst, with_scheduler=True)
