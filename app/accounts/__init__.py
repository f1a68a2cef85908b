"""Accounts: users and their NIP, roles, login sessions, throttling, roster import."""
