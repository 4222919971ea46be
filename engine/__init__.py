"""Everything about running processes; never imports flask or `web`.

The engine is built in layers. A module imports only from its own layer and the layers below it,
never from one above, and never inside a function. The import contracts in pyproject.toml (run by
`make lint`) and tests/test_architecture.py enforce this. From the top:

    reads       what people see: inbox, case search, what a user may do next, predicted path,
                exports, the printable form, the consistency check; never commits
    operations  return, withdraw, transfer and delegate, add approvers, probation review
    process     the commands (start, complete, claim, unclaim, cancel), the step kernel, access
                checks, the task index, what follows a step, timers
    rules       the domain rules of each process, reading policy from config
    recruitment campaigns, applications, scores, selection, hiring
    collab      delegation, approval rounds, deadlines, notifications, copies, attachments
    records     worker records and accounts (users, roles, org units, access tokens, signing in and out)
    workflow    deployed definitions, admin drafts, forms, loading the shipped folder
    bpmn        SpiffWorkflow: safe XML, parsing, validation, the script sandbox, saved state,
                compaction, resets
    core        clock, errors, audit trail, privacy, scope, working days, dates, display words,
                idempotency keys, the transaction decorator
    models      SQLAlchemy models

`collab` and `records` are one layer: neither imports the other. The web layer and the CLI call
`reads`, `operations`, `process` and the layers below, but never `bpmn` or SpiffWorkflow.
"""
