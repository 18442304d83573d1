"""Coordinators' workplace: review queue, screening, assisted sign-up, overview, exports."""
