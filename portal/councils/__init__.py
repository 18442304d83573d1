"""Local councils' pages: projects, updates, events; the shared calendar."""
