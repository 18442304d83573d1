"""Public pages: front page, privacy, accessibility statement, language switch."""
