"""Audit log: who changed what that matters, and when."""
