"""`python -m app.cli ...` runs the `lentera` command line."""

from app.cli import main

main()
