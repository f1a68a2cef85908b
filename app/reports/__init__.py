"""Reporting for HR and trainers: exports, JP compliance, dashboards, API tokens, audit log."""
