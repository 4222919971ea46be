"""What every layer uses: clock, errors, audit trail, privacy masks, org scope, working days, dates,
display words, idempotency keys and the one transaction decorator."""
