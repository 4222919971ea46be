"""Process definitions: deployed versions, admin drafts, JSON Schema forms, the shipped folder."""
