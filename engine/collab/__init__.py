"""Working together on a task: delegation and proxies, approval rounds, deadlines, notifications,
copies and attachments."""
