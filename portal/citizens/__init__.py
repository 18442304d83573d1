"""Citizens' pages: my page, profile, my tasks, my ideas, settings, my data."""
