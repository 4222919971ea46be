"""Running a case: the commands, the step kernel they share, access checks, the task index, what
follows each step, and the timer worker."""
