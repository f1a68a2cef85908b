"""Evaluation after training: reaction surveys, action plans, follow-up and supervisor checks."""
