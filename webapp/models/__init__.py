"""All models, importable from one place: `from webapp.models import User`."""
from webapp.models.core import (  # noqa: F401
    ACCOUNT_TYPE_LABELS,
    AccountType,
    AuditEvent,
    Group,
    GroupMember,
    InviteStatus,
    Job,
    Organisation,
    SigninFailure,
    User,
)
from webapp.models.mail import OutboxAttachment, OutboxMessage, DeliveryAttempt  # noqa: F401
from webapp.models.enrolments import Enrolment, Series  # noqa: F401
from webapp.models.imports import (  # noqa: F401
    BatchStatus,
    ImportBatch,
    BulkUndo,
    BulkUndoRow,
    ImportMapping,
    ImportUpload,
    RowStatus,
    StagedRemoval,
    StagedRow,
    StagedSearch,
)
from webapp.models.signin import PasswordToken  # noqa: F401
from webapp.models.importsync import (  # noqa: F401
    EffectKind,
    ImportEffect,
    ImportUndo,
    StagedChange,
    SyncAction,
)
