"""Scheduled jobs: APScheduler set-up, the single-runner lock, and the jobs that queue reminders."""
