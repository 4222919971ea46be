"""The everyday operations on a running case: return, withdraw, transfer, delegate, add approvers,
and the probation review that may open a dismissal case."""
