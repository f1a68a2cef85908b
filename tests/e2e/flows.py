"""What a learner does in the browser, step by step, with or without JavaScript.

Every step goes through the visible interface (labels, buttons, links), the way a person on a
phone would; only the right quiz answers are read from the database, from the attempt's own
draw, since the page rightly does not reveal them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.content.models import QuizVersion
from app.learning import quizzes
from app.learning.models import ModuleProgress, QuizAttempt

if TYPE_CHECKING:
    from playwright.sync_api import Page

T = TypeVar("T")
# The `new_learner` fixture: creates a learner of the test's own, returns (user, password).
NewLearner = Callable[..., tuple[User, str]]


def login(page: Page, nip: str, password: str) -> None:
    """Log in through /masuk and land on the home page."""
    page.goto("/masuk")
    page.locator("#f-nip").fill(nip)
    page.locator("#f-password").fill(password)
    submit(page, "Masuk")
    if page.get_by_role("button", name="Keluar").count() != 1:
        alert = page.get_by_role("alert")
        reason = alert.inner_text() if alert.count() else page.url
        raise AssertionError(f"login as {nip} did not succeed: {reason}")


def submit(page: Page, button: str) -> None:
    """Click a form's button and wait for the page the server answers with (often the same
    URL again, after a POST-redirect-GET, so waiting for a URL change would not do)."""
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name=button, exact=True).click()


def open_course_from_catalogue(page: Page, title: str) -> None:
    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Katalog").click()
    page.wait_for_url("**/kursus")
    page.get_by_role("link", name=title, exact=True).click()
    page.wait_for_load_state("load")


def give_study_time(db: Session, user_id: int) -> None:
    """Credit the learner's opened modules with enough study time, as if they had read them
    (a browser test cannot wait the minutes app/learning/study_time.py asks for)."""
    db.rollback()
    db.execute(
        update(ModuleProgress)
        .where(ModuleProgress.user_id == user_id)
        .values(study_seconds=ModuleProgress.study_seconds + 24 * 3600)
    )
    db.commit()


def complete_modules_in_order(
    page: Page, db: Session, user_id: int, *, limit: int = 20
) -> list[str]:
    """From a module page, read long enough and "Tandai selesai" until the course sends the
    learner past the last module; returns the slugs completed, in order."""
    done: list[str] = []
    while "/modul/" in page.url and len(done) < limit:
        slug = page.url.split("/modul/", 1)[1].split("/", 1)[0].split("?", 1)[0]
        give_study_time(db, user_id)
        submit(page, "Tandai selesai")
        done.append(slug)
    return done


def attempt_number(page: Page) -> int:
    """The attempt number from an attempt page's URL (…/tes/<key>/<number>)."""
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def fresh(db: Session) -> Session:
    """End the session's read snapshot (SQLite WAL) so the next query sees the server's writes."""
    db.rollback()
    return db


def load_attempt(db: Session, user_id: int, key: str, number: int) -> QuizAttempt:
    attempt = fresh(db).scalar(
        select(QuizAttempt).where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.quiz_key == key,
            QuizAttempt.number == number,
        )
    )
    assert attempt is not None, f"no attempt {number} at {key} for user {user_id}"
    return attempt


def answer_fields(db: Session, attempt: QuizAttempt, *, correct: bool) -> dict[str, list[str]]:
    """The form fields (`q-<question id>`) answering an attempt's own draw: all right answers,
    or one wrong answer per question."""
    row = fresh(db).get(QuizVersion, attempt.quiz_version_id)
    assert row is not None
    spec = quizzes.quiz_spec(row)
    fields: dict[str, list[str]] = {}
    for question_id, option_ids in attempt.drawn:
        question = spec.question(question_id)
        assert question is not None
        if question.kind == "short":
            text = question.accepted_answers[0] if correct else "jawaban yang keliru"
            fields[f"q-{question_id}"] = [text]
        elif correct:
            fields[f"q-{question_id}"] = [o for o in option_ids if o in question.correct_option_ids]
        else:
            wrong = [o for o in option_ids if o not in question.correct_option_ids]
            fields[f"q-{question_id}"] = wrong[:1]
    return fields


def answer_attempt(page: Page, db: Session, user_id: int, key: str, *, correct: bool) -> None:
    """Fill in the attempt open on `page`, as a person would: type or tick each answer."""
    attempt = load_attempt(db, user_id, key, attempt_number(page))
    for name, values in answer_fields(db, attempt, correct=correct).items():
        text_box = page.locator(f"input[type=text]#{name}")
        if text_box.count():
            text_box.fill(values[0])
            continue
        for option in values:
            page.locator(f"#{name}-{option}").check()


def take_quiz(page: Page, db: Session, user_id: int, key: str, *, correct: bool) -> QuizAttempt:
    """From a quiz's info page: start, answer, send; returns the graded attempt."""
    submit(page, "Mulai mengerjakan")
    answer_attempt(page, db, user_id, key, correct=correct)
    number = attempt_number(page)
    submit(page, "Kirim jawaban")
    return load_attempt(db, user_id, key, number)


def eventually(check: Callable[[], T | None], *, timeout: float = 10.0, what: str = "") -> T:
    """Poll `check` until it returns something truthy (for effects that land asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or check}")
        time.sleep(0.1)
