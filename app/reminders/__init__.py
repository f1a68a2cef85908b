"""Reminders that reach people: due and overdue assignments, follow-ups due (and whatever
other modules register), emailed when SMTP is configured, with a sent log; WhatsApp
click-to-chat links for HR."""
