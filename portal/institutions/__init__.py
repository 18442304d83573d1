"""Institution staff's pages: task editor, sign-ups, attendance and hours."""
