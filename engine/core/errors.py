"""Domain errors: data the web layer maps once to HTTP statuses and the JSON error model."""

from typing import Any


class DomainError(Exception):
    """Base of every refusal the engine gives; `code` is a stable snake_case identifier."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}


class Unauthorized(DomainError):
    """No valid credentials: a wrong password, an unknown user, a dead token or session."""

    status = 401
    code = "unauthorized"


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"


class NotFound(DomainError):
    """Unknown, or outside the caller's org scope: the two are never told apart."""

    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class CaseMoved(Conflict):
    """Another request saved the same case first (an optimistic-lock race): nothing of this one was
    kept, and the step may simply be tried again on the case as it is now."""

    code = "case_moved"


class InvalidData(DomainError):
    """Submitted data breaks its form: `fields` maps each field to its messages."""

    status = 422
    code = "validation_error"

    def __init__(self, message: str, fields: dict[str, list[str]], *, code: str | None = None):
        super().__init__(message, code=code, details={"fields": fields})
        self.fields = fields


class RuleViolation(DomainError):
    """A rule of the domain refuses the request; the code is one of those docs/api.md lists."""

    status = 422

    def __init__(self, code: str, message: str, fields: dict[str, list[str]] | None = None,
                 **details: Any):
        payload = dict(details)
        if fields:
            payload["fields"] = fields
        super().__init__(message, code=code, details=payload)


class EngineFailure(DomainError):
    """The diagram itself failed (a script error, a time limit): nothing was saved."""

    status = 422
    code = "process_error"


class ArchiveTooLarge(DomainError):
    """An uploaded archive (an .xlsx is a zip) would unpack beyond the bounds set for it."""

    status = 413
    code = "archive_too_large"

    def __init__(self, message: str, field: str, problem: str):
        super().__init__(message, details={"fields": {field: [problem]}})
