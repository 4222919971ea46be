"""Everything about running processes; imports nothing from web/ or flask."""
