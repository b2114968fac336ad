"""Job functions used by the job tests (importable by a separate RQ worker process)."""
from webapp import jobs
from webapp.extensions import db
from webapp.models import Organisation


def rename_org(job_id: int, target_org: int, name: str) -> dict:
    """Rename an organisation in two progress steps."""
    jobs.progress(job_id, 1, 2)
    db.session.get(Organisation, target_org).name = name
    db.session.commit()
    jobs.progress(job_id, 2, 2)
    return {"renamed": name}


def explode(job_id: int) -> None:
    raise RuntimeError("the file vanished")
