"""Learning: enrolment, progress, quizzes, completion, certificates."""
